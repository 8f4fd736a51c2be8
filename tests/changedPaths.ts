// A test helper: where two plain values (objects, arrays, scalars) differ, as dotted paths.

/** Paths at which two plain objects differ, sorted. */
export function changedPaths(a: unknown, b: unknown, at = ""): string[] {
    if (a && b && typeof a === "object" && typeof b === "object")
        return [...new Set([...Object.keys(a), ...Object.keys(b)])]
            .flatMap((k) =>
                changedPaths(
                    (a as Record<string, unknown>)[k],
                    (b as Record<string, unknown>)[k],
                    at ? `${at}.${k}` : k,
                ),
            )
            .sort();
    return a === b ? [] : [at];
}
