// Types of the protocol object that shared/messages.js puts on globalThis (it is a classic
// script, so it cannot export them).
interface SentinelleMessagesApi {
  readonly Type: {
    readonly GUARD_REGISTER: 'sentinelle/guard-register';
    readonly GUARD_CLAIM: 'sentinelle/guard-claim';
    readonly GUARD_INIT: 'sentinelle/guard-init';
    readonly ANALYZE: 'sentinelle/analyze';
    readonly SHOW: 'sentinelle/show';
    readonly DECISION: 'sentinelle/decision';
    readonly FAILURE: 'sentinelle/failure';
  };
  readonly Decision: { readonly PASS: 'pass'; readonly CLEAN: 'clean'; readonly ORIGINAL: 'original'; readonly CANCEL: 'cancel' };
  readonly FailureCode: { readonly ENGINE: string; readonly GUARD_GONE: string; readonly TIMEOUT: string; readonly REJECTED: string };
  isNonce(nonce: unknown): nonce is string;
  parseRuntimeMessage(msg: unknown): { type: string; nonce: string } | null;
  parseGuardInit(msg: unknown): { nonce: string } | null;
  parseGuardReply(msg: unknown):
    | { type: 'show' }
    | { type: 'decision'; decision: string; files: File[] }
    | { type: 'failure'; code: string }
    | null;
  parseAnalyzeRequest(msg: unknown): { files: File[]; folder: boolean } | null;
}
