import { useData, withBase } from 'vitepress';
import { defineComponent, h } from 'vue';

/** The home page's `heroFigure` front matter: a picture with its caption (an attribution, say). */
interface HeroFigure {
  readonly src: string;
  readonly alt: string;
  readonly caption: string;
}

/**
 * The hero's picture with a caption under it: VitePress' hero image has no caption, and the
 * mosaic's photos must be credited beside it.
 */
export default defineComponent({
  name: 'HeroFigure',
  setup() {
    const { frontmatter } = useData();
    return () => {
      const figure = frontmatter.value.heroFigure as HeroFigure | undefined;
      if (!figure) return null;
      return h('figure', { class: 'hero-figure' }, [
        h('img', { src: withBase(figure.src), alt: figure.alt }),
        h('figcaption', figure.caption),
      ]);
    };
  },
});
