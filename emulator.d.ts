/** How a push receiver answered (WeChat expects 200 'success'). */
export interface PushDelivery {
  status: number
  answer: string
}

/** Options of `startEmulator` (all optional). */
export interface EmulatorOptions {
  /** 0 (default): any free port. The emulator always binds 127.0.0.1. */
  port?: number
  /** Accounts that may fetch tokens. Default: the demo app (`DEMO_APP`) with two logistics accounts. */
  apps?: { appid: string; secret: string; name?: string; subject?: string }[]
  /** Lifetime of every issued token in seconds (default 7200). */
  tokenTtl?: number
  /** Third-party platforms. */
  components?: { appid: string; secret: string; token: string; encodingAesKey: string }[]
}

/** A fault for the next calls of an endpoint (`name`, or `*` for any). */
export interface EmulatorFault {
  name: string
  errcode?: number
  errmsg?: string
  delayMs?: number
  /** Run the call (it takes effect and counts as executed), then answer the error. */
  afterExecute?: boolean
  times?: number
}

/** Probabilities (0..1, at most 1 in all) of each fault kind per request. */
export interface EmulatorFaultRates {
  /** -1 before the call runs. */
  busy?: number
  /** HTTP 500 before the call runs. */
  http500?: number
  /** HTTP 502 after the call ran. */
  http502?: number
  /** The connection drops after the call ran, before any answer. */
  reset?: number
  /** The answer is held `delayMs`. */
  delay?: number
  /** The call ran; the answer is broken JSON. */
  malformedJson?: number
  /** The call ran; half the promised body arrives. */
  truncated?: number
  /** 45011 before the call runs. */
  rateLimit?: number
  /** The caller's tokens are revoked first (the call answers 40001). */
  revokedToken?: number
}

/** A running fake WeChat server. */
export declare class Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Stops the server; safe to call twice. */
  close(): Promise<void>
  /** Runs a control action (`control('actions')` lists them); also `POST ${url}/__emulator/<action>`. */
  control(action: string, args?: Record<string, unknown>): Promise<any>
  /** Requests received per endpoint (`namespace.method`), token endpoints included. */
  requestCounts(): Promise<Record<string, number>>
  requestCount(name: string): Promise<number>
  /** Fetches of both token endpoints. */
  tokenRequests(): Promise<number>
  resetCounts(): Promise<Record<string, never>>
  /** How many times each non-idempotent endpoint actually ran. */
  executions(): Promise<Record<string, number>>
  seedAccounts(
    appid: string | undefined,
    accounts: { bizId: string; deliveryId: string; alias?: string; quotaNum?: number; statusCode?: number; remarkContent?: string }[],
  ): Promise<{ count: number }>
  openids(appid?: string): Promise<string[]>
  addOpenids(appid: string | undefined, openids: string[]): Promise<{ openids: string[] }>
  /** The account's live tokens now answer 42001. */
  expireToken(appid?: string): Promise<{ expired: number }>
  /** The account's tokens now answer 40001; the next fetch gives a fresh one. */
  revokeToken(appid?: string): Promise<{ revoked: number }>
  approveLink(miniprogramAppid: string | { miniprogramAppid: string; appid?: string }, appid?: string): Promise<{ appid: string; miniprogramAppid: string; status: number }>
  rejectLink(miniprogramAppid: string | { miniprogramAppid: string; appid?: string }, appid?: string): Promise<{ appid: string; miniprogramAppid: string; status: number }>
  /** After `pushTicket`, the code is also pushed to the platform's URL (`delivery` says how it answered). */
  authorize(args: { componentAppid: string; authorizerAppid: string; permissionSets: number[] }): Promise<{ authorizationCode: string; expiresIn: number; delivery?: PushDelivery }>
  /** The account withdraws its authorization; an `unauthorized` push follows when the push URL is known. */
  unauthorize(args: { componentAppid: string; authorizerAppid: string }): Promise<{ removed: boolean; delivery?: PushDelivery }>
  /** POSTs an encrypted component_verify_ticket push to `url` (now the platform's push URL); that ticket is the only one accepted. */
  pushTicket(url: string, componentAppid?: string): Promise<{ ticket: string; expiresIn: number; delivery: PushDelivery }>
  /** Replaces the authorizer's refresh token behind the platform's back: the stored one answers 61023. */
  rotateRefreshToken(args: { componentAppid: string; authorizerAppid: string }): Promise<{ rotated: true }>
  setTicket(componentAppid: string, ticket?: string): Promise<{ ticket: string; expiresIn: number }>
  advanceTime(seconds: number): Promise<{ skewSeconds: number }>
  injectFault(fault: EmulatorFault): Promise<{ pending: number }>
  /** Pads every `printHtml` to at least `kb` KiB of HTML. */
  setPrintHtmlSize(kb: number): Promise<{ kb: number }>
  /** An open-platform account made on the website (or, with `createdByApi`, through the API). */
  seedOpenAccount(args?: { openAppid?: string; subject?: string; createdByApi?: boolean; boundAppids?: string[] }): Promise<{ openAppid: string }>
  /** Accounts of different subjects answer 89001. */
  setSubject(appid: string | undefined, subject: string): Promise<{ appid: string; subject: string }>
  /** Past the limit, calls of `name` (`namespace.method`) answer 45009 until `auth.clearQuota`. */
  setDailyLimit(appid: string | undefined, name: string, limit: number): Promise<{ appid: string; name: string; limit: number }>
  clearFaults(): Promise<Record<string, never>>
  /** Random faults at set rates, reproducible from `seed`; an endpoint's own rates replace `'*'`. */
  setFaultRates(config: { seed?: number; delayMs?: number; rates: Record<string, EmulatorFaultRates> }): Promise<{ seed: number; endpoints: string[] }>
  /** Faults drawn so far, per kind. */
  faultStats(): Promise<Record<string, number>>
  /** Executions of non-idempotent endpoints per `order_id`; above 1 is a duplicate. */
  executionsByOrder(): Promise<Record<string, Record<string, number>>>
  executionsByOrder(name: string): Promise<Record<string, number>>
  order(orderId: string, appid?: string): Promise<any>
  state(): Promise<any>
}

export declare function startEmulator(options?: EmulatorOptions): Promise<Emulator>

/** The demo app of an emulator started without `apps`. */
export declare const DEMO_APP: { readonly appid: 'wxdemoappid0000001'; readonly secret: 'demoappsecret0000000000000000001' }
