declare module 'node-gyp-build' {
  /** Loads the addon for this platform from build/ or prebuilds/ under `dir`. */
  function load (dir: string): unknown
  namespace load {
    /** The path `load(dir)` would require; throws when there is none. */
    function resolve (dir: string): string
  }
  export = load
}
