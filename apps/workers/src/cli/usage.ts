import { JOB_OPTION_DEFAULTS, PRESETS, PRIORITIES } from '@aerial/contracts';

/** The commands `aerial` runs; `main.ts` dispatches on these and the usage lists each. */
export const CLI_COMMANDS = ['process', 'jobs', 'status', 'cancel', 'sample', 'engine'] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

/**
 * What `aerial help` prints: the one description of the commands. The docs build runs the built
 * CLI with `help` and renders its CLI reference from this text, so keep its layout (a command at
 * two spaces, its options at six).
 */
export const USAGE = `usage: aerial <command> [options]

commands:
  process [FOLDER|ZIP]   run a job on the local engine (no argument: a generated sample survey)
      --photos DIR         the photos (same as FOLDER)
      --preset P           ${PRESETS.join(' | ')} (default ${JOB_OPTION_DEFAULTS.preset})
      --label TEXT         a name for the job
      --webhook URL        POST the outcome here when the job ends
      --email ADDRESS      email the outcome here when the job ends
      --priority P         ${PRIORITIES.join(' | ')} (default ${JOB_OPTION_DEFAULTS.priority})
      --flight-height M    flight height above the ground, metres, for photos without relative altitude
      --projection P       utm | web-mercator: the orthomosaic's grid (default utm, at the photos' resolution)
      --dry-run            print the job request (JSON) and start nothing
  jobs                   list jobs, newest first
  status JOB             show a job's outcome and outputs
  cancel JOB             stop a running job
  sample                 render the generated sample survey into the data directory (once) and print
                         its photos folder (the Hub's --sample and its sample button run on it)
  engine                 serve the local engine behind the Step Functions API (what the Hub talks to)
      --port N             listen port on 127.0.0.1 (default 0: any free port)

environment: AERIAL_DATA_DIR (default .aerial), OBJECT_STORE, AERIAL_ENV (dev|staging|prod)`;
