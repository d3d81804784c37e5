// Types for `import` (index.mjs): the same declarations as index.d.ts, plus the default export.
export * from './index.js'
import * as cloud from './index.js'
export default cloud
