import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { h } from 'vue';
import HeroFigure from './hero-figure';
import './custom.css';

export default {
  extends: DefaultTheme,
  Layout: () => h(DefaultTheme.Layout, null, { 'home-hero-image': () => h(HeroFigure) }),
  enhanceApp({ app }) {
    // A page that fails to render when the site is built fails the build, instead of being
    // published empty with an error in the log (Vue only logs render errors in production).
    if (import.meta.env.SSR) app.config.throwUnhandledErrorInProduction = true;
  },
} satisfies Theme;
