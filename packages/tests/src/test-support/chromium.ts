import type { Browser } from 'playwright-core';

/** Debian's Chromium, which tools/services/setup.sh installs. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Debian Chromium as every page test runs it: no sandbox (CI runs as root), no GPU, and
 * no background networking (these machines reach no other host, and Chromium's own calls would
 * be refused by the dozen). `webgl`: SwiftShader, the CPU renderer, for pages checked by the
 * pixels WebGL draws.
 */
export async function launchChromium(o: { webgl?: boolean } = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      ...(o.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : []),
    ],
  });
}
