import { createHash } from 'node:crypto';
import { encodeGrayPng } from './png-encoder.js';

export const PAGE_WIDTH = 124;
export const PAGE_HEIGHT = 175;

/**
 * Renders a deterministic scanned-page lookalike (margin, header box, handwriting-like
 * strokes) so the same copy and page always give the same bytes and the same sha256.
 */
export function renderPageImage(anonymousId: string, pageIndex: number): Buffer {
  const seed = createHash('sha256').update(`${anonymousId}#${pageIndex}`).digest();
  const pixels = new Uint8Array(PAGE_WIDTH * PAGE_HEIGHT).fill(250);
  const set = (x: number, y: number, value: number): void => {
    if (x >= 0 && x < PAGE_WIDTH && y >= 0 && y < PAGE_HEIGHT) pixels[y * PAGE_WIDTH + x] = value;
  };
  // Anonymisation header box on the first page of a booklet, a thin margin line on every page.
  for (let y = 0; y < PAGE_HEIGHT; y++) set(12, y, 180);
  if (pageIndex === 0) {
    for (let x = 20; x < 104; x++) {
      set(x, 6, 40);
      set(x, 20, 40);
    }
    for (let y = 6; y <= 20; y++) {
      set(20, y, 40);
      set(103, y, 40);
    }
  }
  // Writing: one stroke per ruled line, its length taken from the seed bytes.
  for (let line = 0; line < 14; line++) {
    const y = 30 + line * 10;
    const length = 30 + ((seed[line % seed.length] ?? 0) % 70);
    for (let x = 18; x < 18 + length; x++) {
      set(x, y, 30);
      if ((x + line) % 3 === 0) set(x, y - 1, 60);
    }
  }
  return encodeGrayPng(PAGE_WIDTH, PAGE_HEIGHT, pixels);
}
