// A user's own service: the shipping part of a shop backend. It takes its client from the caller, so tests
// can hand it one pointed at the emulator.

/** Picks the account to ship with: the bound account of `deliveryId` with the most e-waybill quota left. */
async function pickAccount(client, deliveryId) {
  const { list } = await client.openapi.logistics.getAllAccount({})
  const candidates = list.filter((a) => a.deliveryId === deliveryId)
  if (candidates.length === 0) throw new Error(`no ${deliveryId} account is bound`)
  const quotas = await Promise.all(
    candidates.map((a) => client.openapi.logistics.getQuota({ deliveryId, bizId: a.bizId }).then((q) => q.quotaNum)),
  )
  const best = quotas.indexOf(Math.max(...quotas))
  return { bizId: candidates[best].bizId, quota: quotas[best] }
}

module.exports = { pickAccount }
