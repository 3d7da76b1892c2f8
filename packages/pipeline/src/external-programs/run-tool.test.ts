import { runTool } from './run-tool';

const run = (script: string, signal = new AbortController().signal) =>
  runTool({
    file: process.execPath,
    args: ['-e', script],
    signal,
    label: 'test tool',
    missing: { reason: 'not installed', remedy: 'install it' },
  });

describe('runTool', () => {
  test('a tool killed from outside (SIGKILL, as the OOM killer does) is Aerial.Transient: the stage is retried', async () => {
    await expect(run("console.log('working'); process.kill(process.pid, 'SIGKILL')")).rejects.toMatchObject({
      name: 'Aerial.Transient',
      reason: expect.stringMatching(/test tool was killed \(SIGKILL\)/),
    });
  });

  test('a tool that fails on its own is Aerial.Internal, with its last lines', async () => {
    await expect(run("console.error('bad input'); process.exit(3)")).rejects.toMatchObject({
      name: 'Aerial.Internal',
      reason: expect.stringMatching(/exit 3.*bad input/),
    });
  });

  test('a tool stopped because the stage was cancelled is Aerial.Cancelled, not retried', async () => {
    const controller = new AbortController();
    const running = run('setTimeout(() => {}, 30000)', controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toMatchObject({ name: 'Aerial.Cancelled' });
  });
});
