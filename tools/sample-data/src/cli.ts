#!/usr/bin/env node
import { surveyOptionsFromArgs, USAGE } from './cli-options';
import { generateSurvey } from './generate-survey';

async function main(): Promise<void> {
  const options = surveyOptionsFromArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const truth = await generateSurvey({
    ...options,
    onProgress: (done, total) => {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\rrendering [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
  });
  process.stderr.write('\n');
  const outDir = options.outDir;
  process.stdout.write(
    `${truth.photos.length} photos, GSD ${truth.gsdCm.toFixed(2)} cm/px, in ${outDir}/images (ground truth: ${outDir}/ground-truth.json)\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`aerial-sample-data: ${(e as Error).message}\n`);
  process.exit(1);
});
