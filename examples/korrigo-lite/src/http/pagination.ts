/** A DRF PageNumberPagination response body. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Parses ?page=; null when it is not a positive integer (DRF answers 404 "Invalid page."). */
export function parsePageNumber(url: URL): number | null {
  const raw = url.searchParams.get('page');
  if (raw === null || raw === '') return 1;
  const page = Number(raw);
  return Number.isInteger(page) && page >= 1 ? page : null;
}

/** Builds the page like DRF: absolute links from the request's origin, page 1 has no `page` parameter. */
export function buildPage<T>(requestUrl: URL, page: number, pageSize: number, count: number, results: T[]): Page<T> {
  const link = (target: number): string => {
    const url = new URL(requestUrl.href);
    if (target === 1) url.searchParams.delete('page');
    else url.searchParams.set('page', String(target));
    return url.href;
  };
  return {
    count,
    next: page * pageSize < count ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results,
  };
}

/** True when the page number is past the last page (page 1 always exists, even when empty). */
export function pageOutOfRange(page: number, pageSize: number, count: number): boolean {
  return page > 1 && (page - 1) * pageSize >= count;
}
