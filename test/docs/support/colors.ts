// Just enough colour arithmetic to judge computed CSS colours the way a reader's eye would: is there a
// background at all, is a rule coloured or grey, and is text readable on its background (WCAG contrast).

interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Parses the `rgb()`/`rgba()` strings that getComputedStyle returns for ordinary colours. */
function parseColor(css: string): Rgba {
  const match = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(
    css.trim(),
  );
  if (!match) throw new Error(`Cannot read the computed colour "${css}": expected rgb() or rgba().`);
  const [, r, g, b, alpha] = match;
  const a = alpha === undefined ? 1 : alpha.endsWith("%") ? Number.parseFloat(alpha) / 100 : Number(alpha);
  return { r: Number(r), g: Number(g), b: Number(b), a };
}

export function isTransparent(css: string): boolean {
  return parseColor(css).a === 0;
}

/** HSL saturation from 0 (grey) to 1 (pure hue). */
export function saturation(css: string): number {
  const { r, g, b } = parseColor(css);
  const max = Math.max(r, g, b) / 255;
  const min = Math.min(r, g, b) / 255;
  const lightness = (max + min) / 2;
  if (max === min) return 0;
  return (max - min) / (1 - Math.abs(2 * lightness - 1));
}

function luminance({ r, g, b }: Rgba): number {
  const [lr, lg, lb] = [r, g, b].map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * lr + 0.7152 * lg + 0.0722 * lb;
}

/** WCAG contrast ratio of opaque text on an opaque background, from 1 to 21. */
export function contrastRatio(foreground: string, background: string): number {
  const [text, ground] = [parseColor(foreground), parseColor(background)];
  if (text.a < 1 || ground.a < 1)
    throw new Error(
      `Contrast of translucent colours depends on what lies beneath: ${foreground} on ${background}.`,
    );
  const [light, dark] = [luminance(text), luminance(ground)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
