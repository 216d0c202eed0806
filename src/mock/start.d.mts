// Types of the plain-JavaScript launcher (start.mjs), for the tests that import it.
/** Path of the bundle `npm start` runs. */
export declare const BUNDLE: string;
/** Why the bundle under `root` must be rebuilt, or undefined when it is current. */
export declare function staleReason(root?: string): string | undefined;
/** Bundles src/mock/cli.ts into dist/mock/cli.mjs, with its list of sources beside it. */
export declare function buildBundle(root?: string): Promise<void>;
