export { buildSite, type Page } from './site';
