/**
 * Sites made readable for a report (Node): a built JavaScript position mapped back to its
 * TypeScript source through the file's source map (Node's own `module.SourceMap`), and the
 * source line's text. Positions that tsx or `--enable-source-maps` already mapped, and files
 * without a map, stay as they are. A file that cannot be read leaves its sites without text.
 */
import { nodeBuiltin, type NodeBuiltin } from '../platform/index.js';
import type { SourceSite } from './log-records.js';
import type { ConflictReport, ReportSite } from './report-model.js';

type NodeModule = NodeBuiltin<'node:module'>;
type SourceMapLike = InstanceType<NodeModule['SourceMap']>;

const lineTextCharsMax = 160;

export class SiteResolver {
  readonly #fs = nodeBuiltin('node:fs');
  readonly #module = nodeBuiltin('node:module');
  readonly #path = nodeBuiltin('node:path');
  readonly #lines = new Map<string, readonly string[] | undefined>();
  readonly #maps = new Map<string, SourceMapLike | undefined>();

  resolve(site: SourceSite): ReportSite {
    const mapped = this.#mapped(site);
    const text = this.#lineText(mapped.file, mapped.line);
    return text === undefined ? mapped : { ...mapped, text };
  }

  #mapped(site: SourceSite): SourceSite {
    if (!/\.[cm]?js$/.test(site.file)) return site;
    const map = this.#sourceMap(site.file);
    if (map === undefined) return site;
    const entry = map.findEntry(site.line - 1, site.column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return site;
    const source = entry.originalSource.startsWith('file://')
      ? decodeURIComponent(new URL(entry.originalSource).pathname)
      : this.#path.resolve(this.#path.dirname(site.file), entry.originalSource);
    return {
      ...site,
      file: source,
      line: entry.originalLine + 1,
      column: (entry.originalColumn ?? 0) + 1,
    };
  }

  #sourceMap(file: string): SourceMapLike | undefined {
    if (this.#maps.has(file)) return this.#maps.get(file);
    let map: SourceMapLike | undefined;
    try {
      const lines = this.#fileLines(file) ?? [];
      const comment = lines.findLast((line) => line.startsWith('//# sourceMappingURL='));
      if (comment !== undefined) {
        const url = comment.slice('//# sourceMappingURL='.length).trim();
        const payload: unknown = url.startsWith('data:')
          ? JSON.parse(decodeBase64(url.slice(url.indexOf(',') + 1)))
          : JSON.parse(
              this.#fs.readFileSync(this.#path.resolve(this.#path.dirname(file), url), 'utf8'),
            );
        map = new this.#module.SourceMap(
          payload as ConstructorParameters<NodeModule['SourceMap']>[0],
        );
      }
    } catch {
      map = undefined;
    }
    this.#maps.set(file, map);
    return map;
  }

  #fileLines(file: string): readonly string[] | undefined {
    if (this.#lines.has(file)) return this.#lines.get(file);
    let lines: string[] | undefined;
    try {
      lines = this.#fs.readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = undefined;
    }
    this.#lines.set(file, lines);
    return lines;
  }

  #lineText(file: string, line: number): string | undefined {
    const text = this.#fileLines(file)?.[line - 1]?.trim();
    if (text === undefined) return undefined;
    return text.length <= lineTextCharsMax ? text : `${text.slice(0, lineTextCharsMax - 1)}…`;
  }
}

function decodeBase64(text: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(text), (char) => char.charCodeAt(0)));
}

/** The report with every conflict's sites mapped to source and given their line's text. */
export function resolveSites(report: ConflictReport): ConflictReport {
  const resolver = new SiteResolver();
  return {
    ...report,
    conflicts: report.conflicts.map((conflict) => ({
      ...conflict,
      ...(conflict.site === undefined ? {} : { site: resolver.resolve(conflict.site) }),
      ...(conflict.otherSite === undefined
        ? {}
        : { otherSite: resolver.resolve(conflict.otherSite) }),
    })),
  };
}
