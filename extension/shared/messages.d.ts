// Types of the protocol object that shared/messages.js puts on globalThis (it is a classic
// script, so it cannot export them).
interface SentinelleMessagesApi {
  readonly Type: {
    readonly GUARD_REGISTER: 'sentinelle/guard-register';
    readonly GUARD_CLAIM: 'sentinelle/guard-claim';
    readonly GUARD_INIT: 'sentinelle/guard-init';
    readonly ANALYZE: 'sentinelle/analyze';
    readonly WORKING: 'sentinelle/working';
    readonly SHOW: 'sentinelle/show';
    readonly DECISION: 'sentinelle/decision';
    readonly FAILURE: 'sentinelle/failure';
    readonly COVERED: 'sentinelle/covered';
    readonly SETTINGS_GET: 'sentinelle/settings-get';
    readonly SETTINGS_SET: 'sentinelle/settings-set';
    readonly PIN_SET: 'sentinelle/pin-set';
    readonly PIN_CHECK: 'sentinelle/pin-check';
    readonly WARNING_SHOWN: 'sentinelle/warning-shown';
    readonly GUARD_FAILED: 'sentinelle/guard-failed';
    readonly HOST_REQUEST: 'sentinelle/host-request';
    readonly HOST_GUARD: 'sentinelle/host-guard';
    readonly ALIVE: 'sentinelle/alive';
  };
  readonly Decision: { readonly PASS: 'pass'; readonly CLEAN: 'clean'; readonly ORIGINAL: 'original'; readonly CANCEL: 'cancel' };
  readonly FailureCode: { readonly ENGINE: string; readonly GUARD_GONE: string; readonly TIMEOUT: string; readonly SILENT: string; readonly REJECTED: string; readonly FIX: string };
  isNonce(nonce: unknown): nonce is string;
  parseRuntimeMessage(msg: unknown): { type: string; nonce: string } | null;
  parseSettingsMessage(msg: unknown):
    | { type: 'settings-get' }
    | { type: 'settings-set'; settings: Record<string, unknown>; pin: string }
    | { type: 'pin-set'; pin: string; currentPin: string }
    | { type: 'pin-check'; pin: string }
    | { type: 'warning-shown' }
    | { type: 'guard-failed' }
    | null;
  parseGuardInit(msg: unknown): { nonce: string; relay: string | null } | null;
  parseHostMessage(msg: unknown): { type: 'host-request' | 'host-guard'; channel: string } | null;
  isAlive(msg: unknown): boolean;
  parseGuardReply(msg: unknown):
    | { type: 'show'; here: boolean }
    | { type: 'working' }
    | { type: 'decision'; decision: string; files: File[]; copied: boolean }
    | { type: 'failure'; code: string }
    | null;
  parseAnalyzeRequest(msg: unknown): { files: File[]; folder: boolean; host: string; clipboard: boolean; chosenAt: number | null; relay: string | null } | null;
  isCoveredNotice(msg: unknown): boolean;
}
