import { openApiDocument } from './openapi';

describe('the OpenAPI document program', () => {
  test('documents the job, dataset and product routes without a database or a listening socket', async () => {
    const document = (await openApiDocument()) as { openapi: string; paths: Record<string, object> };
    expect(document.openapi).toMatch(/^3\./);
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/jobs', '/api/jobs/{jobId}']));
    expect(paths.some((p) => p.startsWith('/tiles/'))).toBe(true);
    // Hidden routes (health probes, the document itself) stay out.
    expect(paths).not.toContain('/health');
    expect(paths).not.toContain('/openapi.json');
  });
});
