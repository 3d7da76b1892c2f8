/**
 * GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. The site gives
 * its headings these ids too (VitePress' own would differ), so `page.md#a-heading` lands on the
 * same heading on GitHub and on the site.
 */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}
