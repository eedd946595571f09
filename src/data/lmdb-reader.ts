/**
 * A small read-only reader for LMDB files in data format version 1 — the format of LMDB 0.9.x, which is
 * what py-lmdb, Caffe and the LSUN release (`bedroom_train_lmdb`) use. Node only.
 *
 * Why our own: the npm `lmdb` package (lmdb-js 3.x) is built on LMDB's development branch with data format
 * version 2; opening a version-1 file with it crashed the Node process (segmentation fault) in our test.
 * Reading the main database of an LMDB read-only is simple enough to do with positional file reads,
 * which also keeps memory bounded (nothing is memory-mapped or loaded whole).
 *
 * Format (64-bit little-endian build, which is what LSUN and any x86-64/arm64 machine write):
 * - Page header (16 bytes): pgno u64, pad u16, flags u16, lower u16, upper u16 (overflow pages store the
 *   page count in lower/upper). Flags: 0x01 branch, 0x02 leaf, 0x04 overflow, 0x08 meta, 0x20 leaf2.
 * - Pages 0 and 1 are meta pages; the one with the larger txnid is current. Meta (after the header):
 *   magic u32 0xBEEFC0DE, version u32, address u64, mapsize u64, two 48-byte DB records (free DB, main DB;
 *   the free DB's pad field holds the page size), last page u64, txnid u64. DB record: pad u32, flags u16,
 *   depth u16, branch/leaf/overflow page counts u64, entries u64, root page u64 (all ones = empty).
 * - Branch and leaf pages: `(lower − 16)/2` u16 node offsets after the header; a node is lo u16, hi u16,
 *   flags u16, key size u16, key bytes, then (leaf) the value, or the u64 number of its first overflow page
 *   when flags has 0x01 (value size = lo | hi<<16, value bytes start 16 bytes into that page). In a branch
 *   node the child page number is lo | hi<<16 | flags<<32.
 *
 * Random access by position: at open we walk the branch pages and read the header of every leaf page to
 * record (leaf page, first position) — 16 bytes per leaf page (~70 entries), i.e. ~0.7 MB for LSUN bedroom's
 * 3 million images. Do not write to the database while reading it: this reader takes no lock.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, isNotFound } from './errors.js';

const MDB_MAGIC = 0xbeefc0de;
const PAGE_HEADER = 16;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
const MDB_DUPSORT = 0x04;
/** The meta page up to and including txnid. */
const META_BYTES = PAGE_HEADER + 136;
const LEAF_CACHE_PAGES = 32;

interface Meta {
  pageSize: number;
  txnid: bigint;
  mainFlags: number;
  depth: number;
  entries: number;
  root: bigint;
}

function readMeta(buf: Buffer, file: string, which: number): Meta {
  const flags = buf.readUInt16LE(10);
  const magic = buf.readUInt32LE(PAGE_HEADER);
  if (!(flags & P_META) || magic !== MDB_MAGIC) {
    throw new DataError(file, `not an LMDB file (meta page ${which} has magic 0x${magic.toString(16)}, expected 0xbeefc0de)`);
  }
  const version = buf.readUInt32LE(PAGE_HEADER + 4) & 0xffff;
  if (version !== 1) {
    const who = version === 2 ? ' (version 2 is written by the npm "lmdb" package / LMDB 1.0 development branch)' : '';
    throw new DataError(file, `unsupported LMDB data format version ${version}${who}; only version 1 (LMDB 0.9.x, py-lmdb, LSUN) is supported`);
  }
  const db = (k: number, off: number) => PAGE_HEADER + 24 + 48 * k + off; // offset inside the DB records
  return {
    pageSize: buf.readUInt32LE(db(0, 0)),
    mainFlags: buf.readUInt16LE(db(1, 4)),
    depth: buf.readUInt16LE(db(1, 6)),
    entries: Number(buf.readBigUInt64LE(db(1, 32))),
    root: buf.readBigUInt64LE(db(1, 40)),
    txnid: buf.readBigUInt64LE(PAGE_HEADER + 24 + 96 + 8),
  };
}

export class LmdbReader {
  /** Number of key/value pairs in the main database. */
  readonly length: number;
  /** Leaf page numbers in key order, and the position of each leaf's first entry (+ total at the end). */
  private leafPages: Float64Array = new Float64Array(0);
  private leafStarts: Float64Array = new Float64Array(1);
  /** Recently read leaf pages (pgno → page), so sequential reads do not re-read them. */
  private readonly leafCache = new Map<number, Promise<Buffer>>();
  private closed = false;

  private constructor(
    /** The data.mdb file. */
    readonly file: string,
    private readonly fh: FileHandle,
    private readonly fileSize: number,
    readonly pageSize: number,
    private readonly meta: Meta,
  ) {
    this.length = meta.entries;
  }

  /** Open `path`: an LMDB environment folder (holding data.mdb) or the data file itself. */
  static async open(path: string): Promise<LmdbReader> {
    const st = await stat(path).catch((err: unknown) => {
      throw new DataError(path, isNotFound(err) ? 'not found' : `cannot access (${(err as Error).message})`, { cause: err });
    });
    const file = st.isDirectory() ? join(path, 'data.mdb') : path;
    if (st.isDirectory() && !(await stat(file).then((s) => s.isFile(), () => false))) {
      throw new DataError(path, 'not an LMDB environment: the folder has no data.mdb');
    }
    const fh = await open(file, 'r');
    try {
      const fileSize = (await fh.stat()).size;
      const head = Buffer.alloc(META_BYTES);
      const r0 = await fh.read(head, 0, META_BYTES, 0);
      if (r0.bytesRead < META_BYTES) throw new DataError(file, `not an LMDB file: only ${fileSize} bytes`);
      let meta = readMeta(head, file, 0);
      const ps = meta.pageSize;
      if (ps < 512 || ps > 65536 || (ps & (ps - 1)) !== 0) throw new DataError(file, `not an LMDB file: bad page size ${ps}`);
      if (fileSize < 2 * ps) throw new DataError(file, `truncated LMDB file: ${fileSize} bytes, less than two ${ps}-byte meta pages`);
      const r1 = await fh.read(head, 0, META_BYTES, ps);
      if (r1.bytesRead === META_BYTES) {
        const m1 = readMeta(head, file, 1);
        if (m1.txnid > meta.txnid) meta = m1;
      }
      if (meta.mainFlags & MDB_DUPSORT) throw new DataError(file, 'LMDB main database uses DUPSORT, which this reader does not support');
      const reader = new LmdbReader(file, fh, fileSize, ps, meta);
      await reader.indexLeaves();
      return reader;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  private async readPage(pgno: number, bytes: number = this.pageSize): Promise<Buffer> {
    const pos = pgno * this.pageSize;
    if (!Number.isSafeInteger(pos) || pos + bytes > this.fileSize) {
      throw new DataError(this.file, `truncated or corrupt LMDB: page ${pgno} (${bytes} bytes) is beyond the end of the ${this.fileSize}-byte file`);
    }
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await this.fh.read(buf, 0, bytes, pos);
    if (bytesRead !== bytes) throw new DataError(this.file, `short read of page ${pgno}`);
    return buf;
  }

  private checkFlags(page: Buffer, pgno: number, want: number, what: string): void {
    const flags = page.readUInt16LE(10);
    if ((flags & want) === 0 || (want === P_LEAF && flags & P_LEAF2)) {
      throw new DataError(this.file, `corrupt LMDB: page ${pgno} should be a ${what} page but has flags 0x${flags.toString(16)}`);
    }
  }

  /** Walk the tree once in key order and record every leaf page with its entry count. */
  private async indexLeaves(): Promise<void> {
    const { root, depth, entries } = this.meta;
    if (root === 0xffffffffffffffffn || entries === 0) return; // empty database
    // Breadth-first by level keeps key order (children are appended in order) and lets us read one level's
    // pages concurrently.
    let level = [Number(root)];
    for (let d = 1; d < depth; d++) {
      const next: number[] = [];
      for (let i = 0; i < level.length; i += 64) {
        const pages = await Promise.all(level.slice(i, i + 64).map((p) => this.readPage(p)));
        pages.forEach((page, j) => {
          const pgno = level[i + j]!;
          this.checkFlags(page, pgno, P_BRANCH, 'branch');
          const n = (page.readUInt16LE(12) - PAGE_HEADER) >> 1;
          for (let k = 0; k < n; k++) {
            const node = page.readUInt16LE(PAGE_HEADER + 2 * k);
            next.push(page.readUInt16LE(node) + page.readUInt16LE(node + 2) * 0x10000 + page.readUInt16LE(node + 4) * 0x100000000);
          }
        });
      }
      level = next;
    }
    // `level` now lists the leaf pages in key order; only their headers are needed to count entries.
    const starts = new Float64Array(level.length + 1);
    for (let i = 0; i < level.length; i += 256) {
      const heads = await Promise.all(level.slice(i, i + 256).map((p) => this.readPage(p, PAGE_HEADER)));
      heads.forEach((head, j) => {
        this.checkFlags(head, level[i + j]!, P_LEAF, 'leaf');
        starts[i + j + 1] = starts[i + j]! + ((head.readUInt16LE(12) - PAGE_HEADER) >> 1);
      });
    }
    if (starts[level.length] !== entries) {
      throw new DataError(this.file, `corrupt LMDB: the meta page says ${entries} entries but the leaf pages hold ${starts[level.length]}`);
    }
    this.leafPages = Float64Array.from(level);
    this.leafStarts = starts;
  }

  private leaf(pgno: number): Promise<Buffer> {
    let p = this.leafCache.get(pgno);
    if (p) {
      this.leafCache.delete(pgno); // re-insert: Map order is our LRU order
    } else {
      p = this.readPage(pgno);
      p.catch(() => this.leafCache.delete(pgno));
    }
    this.leafCache.set(pgno, p);
    if (this.leafCache.size > LEAF_CACHE_PAGES) this.leafCache.delete(this.leafCache.keys().next().value!);
    return p;
  }

  /** Locate entry `index`: its leaf page and the node's offset in it. */
  private async node(index: number): Promise<{ page: Buffer; node: number }> {
    if (this.closed) throw new Error(`LmdbReader(${this.file}): used after close()`);
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`LmdbReader(${this.file}): index ${index} is out of range [0, ${this.length})`);
    }
    // Binary search: last leaf whose first position <= index.
    let lo = 0;
    let hi = this.leafPages.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.leafStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    const page = await this.leaf(this.leafPages[lo]!);
    const k = index - this.leafStarts[lo]!;
    return { page, node: page.readUInt16LE(PAGE_HEADER + 2 * k) };
  }

  /** The key of entry `index` (entries are in LMDB key order: bytewise). */
  async keyAt(index: number): Promise<Buffer> {
    const { page, node } = await this.node(index);
    const ksize = page.readUInt16LE(node + 6);
    return Buffer.from(page.subarray(node + 8, node + 8 + ksize));
  }

  /** Key and value of entry `index`. */
  async entryAt(index: number): Promise<{ key: Buffer; value: Buffer }> {
    const { page, node } = await this.node(index);
    const flags = page.readUInt16LE(node + 4);
    const ksize = page.readUInt16LE(node + 6);
    const size = page.readUInt16LE(node) + page.readUInt16LE(node + 2) * 0x10000;
    const key = Buffer.from(page.subarray(node + 8, node + 8 + ksize));
    if (flags & (F_SUBDATA | F_DUPDATA)) {
      throw new DataError(this.file, `entry ${index} is a sub-database or has duplicates; not supported`);
    }
    const dataAt = node + 8 + ksize;
    if (!(flags & F_BIGDATA)) return { key, value: Buffer.from(page.subarray(dataAt, dataAt + size)) };
    const ovPage = Number(page.readBigUInt64LE(dataAt));
    const buf = await this.readPage(ovPage, PAGE_HEADER + size);
    this.checkFlags(buf, ovPage, P_OVERFLOW, 'overflow');
    return { key, value: buf.subarray(PAGE_HEADER) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leafCache.clear();
    await this.fh.close();
  }
}
