'use strict'
// The endpoint table's flat field paths (`order_list[].order_id`) as a tree of objects, with public camelCase keys.

/** wx-server-sdk's snake → camel rule (REFERENCE §1): only `_` followed by a-z folds. */
function camel(key) {
  return key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
}

/**
 * A node: { type, required, doc, when, children: Map<snakeKey, node> }; the root stands for the whole object.
 * An answer field is required when WeChat always sends it on success (`required: true`, with the row's
 * `responseEvidence`); one without the flag is optional, and its `when` says in which cases it comes.
 */
function node(spec) {
  return { type: spec.type, required: spec.required === true, doc: spec.doc || '', when: spec.when || '', enumName: spec.enumName, format: spec.format, children: new Map() }
}

function findParent(root, endpoint, path) {
  let at = root
  const parts = path.split('.')
  for (const part of parts.slice(0, -1)) {
    const key = part.replace(/\[\]$/, '')
    const next = at.children.get(key)
    if (!next) throw new Error(`${endpoint}: ${path} is listed before (or without) its parent ${key}`)
    const each = part.endsWith('[]')
    if (each !== (next.type === 'object[]') || !next.type.startsWith('object')) {
      throw new Error(`${endpoint}: ${path} steps into ${part}, but ${key} is ${next.type}`)
    }
    at = next
  }
  return { parent: at, key: parts[parts.length - 1] }
}

/** Builds the tree of one side (request or response) of a table row. */
function fieldTree(endpoint, fields) {
  const root = node({ type: 'object' })
  for (const [path, spec] of Object.entries(fields)) {
    const { parent, key } = findParent(root, endpoint, path)
    // `custom.<addOrder body>` describes the parent's shape in words; it is not a key anyone sends.
    if (key.startsWith('<')) continue
    if (key.endsWith('[]')) throw new Error(`${endpoint}: leaf ${path} ends in []: write the array in its type`)
    if (!/^[A-Za-z_$][\w$]*$/.test(key)) throw new Error(`${endpoint}: ${path}: ${key} is not a key anyone sends`)
    parent.children.set(key, node(spec))
  }
  return root
}

module.exports = { camel, fieldTree }
