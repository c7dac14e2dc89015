// Upload interceptor: isolated world, document_start, every frame.
//
// It catches the trusted `input`/`change` of a file input before any page listener (capture on
// window, registered before page scripts run), empties the input while the person decides (so a
// plain form submit cannot send the original either), has the guard frame check the photos, then
// hands the page what the person chose. The page never sees the analysis; it only ever sees the
// files it is given, like any other upload.
//
// Detached inputs and inputs in shadow roots reach it through the MAIN-world hook
// (content/main-hook.js). Folder inputs (webkitdirectory) are warned about but never replaced.
// Paste: substituted where the browser allows (Chromium), held and explained where not (Firefox).
(() => {
  'use strict';
  const scope = /** @type {any} */ (globalThis);
  if (scope.__sentinelleInterceptor) return;
  scope.__sentinelleInterceptor = true;

  const M = /** @type {SentinelleMessagesApi} */ (scope.SentinelleMessages);

  /** How long the guard may take to answer before it is shown or decides (ms). */
  const GUARD_ANSWER_TIMEOUT_MS = 20_000;
  /** How often a pending guard checks that the page has not removed it (ms). */
  const GUARD_WATCH_INTERVAL_MS = 250;
  /** How long a hidden, finished guard frame stays in the page before it is removed (ms). */
  const FRAME_REMOVAL_DELAY_MS = 500;

  const IMAGE_NAME_RE = /\.(jpe?g|jfif|png|gif|webp|heic|heif|avif|tiff?)$/i;

  /** Attributes shared with the MAIN-world hook (content/main-hook.js); see there. */
  const SIGNAL = 'sentinelle-file-input';
  const PICKER_SIGNAL = 'sentinelle-picker-opening';
  const TOP_LAYER_SIGNAL = 'sentinelle-top-layer';
  const PENDING = 'data-sentinelle-pending';
  const PASS = 'data-sentinelle-pass';

  /** True while this script dispatches its own synthetic events (see dispatchOwn). */
  let redispatching = false;

  /** @param {File} file */
  function looksLikeImage(file) {
    return file.type.startsWith('image/') || IMAGE_NAME_RE.test(file.name);
  }

  /** @param {unknown} node @returns {node is HTMLInputElement} */
  function isFileInput(node) {
    return node instanceof HTMLInputElement && node.type === 'file';
  }

  /**
   * The shadow root of `host`, closed ones included (content scripts may see them).
   * @param {Element} host
   * @returns {ShadowRoot | null}
   */
  function shadowRootOf(host) {
    const firefox = /** @type {any} */ (host).openOrClosedShadowRoot;
    if (firefox !== undefined) return firefox ?? null;
    const dom = /** @type {any} */ (chrome).dom;
    return dom?.openOrClosedShadowRoot ? dom.openOrClosedShadowRoot(host) ?? null : host.shadowRoot;
  }

  /**
   * Finds the input the MAIN-world hook marked, below `host` through (closed) shadow roots.
   * @param {Element} host
   * @param {number} depth
   * @returns {HTMLInputElement | null}
   */
  function findPendingInput(host, depth = 0) {
    const root = shadowRootOf(host);
    if (!root || depth > 32) return null;
    const found = root.querySelector(`input[type=file][${PENDING}]`);
    if (isFileInput(found)) return found;
    for (const element of root.querySelectorAll('*')) {
      const inner = findPendingInput(element, depth + 1);
      if (inner) return inner;
    }
    return null;
  }

  /** @param {Event} event */
  function onFileEvent(event) {
    if (redispatching || !event.isTrusted) return;
    const input = event.composedPath()[0];
    if (!isFileInput(input)) return;
    if (input.hasAttribute(PENDING)) {
      event.stopImmediatePropagation();
      return;
    }
    const files = Array.from(input.files ?? []);
    if (!files.some(looksLikeImage)) return;
    event.stopImmediatePropagation();
    input.setAttribute(PENDING, '');
    guardInput(input, files, choiceTime(event));
  }

  /**
   * When the browser delivered the files (the event's time, on the clock every frame shares):
   * the guard measures its time to warning from it.
   * @param {Event} event
   */
  function choiceTime(event) {
    return performance.timeOrigin + event.timeStamp;
  }

  /**
   * The MAIN-world hook caught an input the window cannot see (detached, or in a shadow root)
   * and stopped its events; from here it is handled like any other input.
   * @param {Event} event
   */
  function onHookSignal(event) {
    const target = event.composedPath()[0];
    const input = isFileInput(target) ? target : target instanceof Element ? findPendingInput(target) : null;
    if (!input || !input.hasAttribute(PENDING)) return;
    const files = Array.from(input.files ?? []);
    if (!files.some(looksLikeImage)) {
      input.removeAttribute(PENDING);
      deliver(input, files); // the hook held the events back: give them to the page now
      return;
    }
    guardInput(input, files, choiceTime(event));
  }

  /**
   * @param {HTMLInputElement} input
   * @param {File[]} files
   * @param {number} chosenAt see choiceTime
   */
  function guardInput(input, files, chosenAt) {
    input.value = '';
    // A folder's files keep their relative paths only as the original File objects: the guard
    // can warn about them, and the person can send them as they are or not at all.
    guardFiles(files, { folder: input.webkitdirectory, chosenAt })
      .then((outcome) => deliver(input, outcome))
      .finally(() => input.removeAttribute(PENDING));
  }

  /**
   * Gives the page the chosen files with the events a real choice fires. `null` gives nothing.
   * @param {HTMLInputElement} input
   * @param {File[] | null} files
   */
  function deliver(input, files) {
    if (!files || files.length === 0) {
      // As when the person dismisses the file chooser (a picker wrapper waits on it).
      input.dispatchEvent(new Event('cancel', { bubbles: true }));
      return;
    }
    input.files = transferOf(files).files;
    input.setAttribute(PASS, '');
    try {
      dispatchOwn(input, new Event('input', { bubbles: true, composed: true }), new Event('change', { bubbles: true }));
    } finally {
      input.removeAttribute(PASS);
    }
  }

  /** @param {File[]} files */
  function transferOf(files) {
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    return transfer;
  }

  /**
   * Dispatches this script's own events, which its listeners must let through (a flag around
   * the synchronous dispatch, not a WeakSet of events: Firefox wraps page-realm events anew).
   * @param {EventTarget} target
   * @param {...Event} events
   */
  function dispatchOwn(target, ...events) {
    redispatching = true;
    try {
      for (const event of events) target.dispatchEvent(event);
    } finally {
      redispatching = false;
    }
  }

  /**
   * A photo dropped on the page: held back, checked, then dropped again (cleaned, original or
   * nothing) where the person dropped it.
   * @param {DragEvent} event
   */
  function onDrop(event) {
    if (redispatching || !event.isTrusted || !event.dataTransfer) return;
    const files = Array.from(event.dataTransfer.files);
    if (!files.some(looksLikeImage)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const target = event.composedPath()[0];
    const where = { clientX: event.clientX, clientY: event.clientY, screenX: event.screenX, screenY: event.screenY };
    guardFiles(files, { chosenAt: choiceTime(event) }).then((outcome) => {
      if (outcome && outcome.length > 0 && target instanceof EventTarget) redrop(target, outcome, where);
    });
  }

  /**
   * @param {EventTarget} target
   * @param {File[]} files
   * @param {{clientX: number, clientY: number, screenX: number, screenY: number}} where
   */
  function redrop(target, files, where) {
    // Firefox: the page only sees files in a DataTransfer and DragEvent built in its own realm.
    const page = /** @type {any} */ (window).wrappedJSObject;
    const clone = /** @type {any} */ (globalThis).cloneInto;
    const transfer = page ? new page.DataTransfer() : new DataTransfer();
    for (const file of files) transfer.items.add(page && clone ? clone(file, window) : file);
    const init = { bubbles: true, cancelable: true, composed: true, dataTransfer: transfer, ...where };
    const drop = page ? new page.DragEvent('drop', clone ? clone(init, window, { cloneFunctions: false, wrapReflectors: true }) : init)
      : new DragEvent('drop', init);
    dispatchOwn(target, drop);
  }

  /**
   * Runs one guard session and turns its answer into the files the page gets (or null).
   * If the guard cannot answer, the person is told, and the page gets nothing (child and teen
   * profiles, a fix that failed, a check that took too long) or the photo as it is (adult
   * profile, a guard that never started or was removed).
   * @param {File[]} files
   * @param {{folder?: boolean, clipboard?: boolean, onCopied?: () => void, chosenAt?: number}} [options]
   *   `clipboard`: a cleaned copy goes to the clipboard (a paste the page cannot be given again);
   *   `onCopied` runs when it is there; `chosenAt`: when the files came (see choiceTime; now, if
   *   no event says)
   * @returns {Promise<File[] | null>}
   */
  async function guardFiles(files, { folder = false, clipboard = false, onCopied = () => {}, chosenAt = performance.timeOrigin + performance.now() } = {}) {
    const guard = takeSpare() ?? new GuardFrame();
    try {
      // In a frame (an editor's, often a few hundred pixels tall), the warning is shown over the
      // top-level page, whole; this frame's guard passes the files on and the answer back.
      const relay = window === window.top ? null : await topHost();
      const reply = await guard.run(files, folder, clipboard, chosenAt, relay);
      if (reply.decision === M.Decision.CANCEL) return null;
      if (reply.decision === M.Decision.CLEAN) {
        if (reply.copied) onCopied();
        return reply.files;
      }
      return files;
    } catch (error) {
      const code = error instanceof GuardFailure ? error.code : M.FailureCode.ENGINE;
      // Never silently: adults get the photo through and are told; children and teens (or when
      // the background cannot say) have it held back and are told. Never through, whatever the
      // profile: a fix the person asked for that could not be made, and a guard at work that did
      // not answer in time (it may only be slow — another tab's work, a busy machine — and an
      // unchecked photo must not go because of that); the person can choose it again.
      let failOpen = false;
      const mayPass = code !== M.FailureCode.FIX && code !== M.FailureCode.TIMEOUT;
      if (mayPass) {
        try {
          const answer = await chrome.runtime.sendMessage({ type: M.Type.GUARD_FAILED });
          failOpen = answer?.ok === true && answer.failOpen === true;
        } catch {
          // The background cannot say (the extension was reloaded, say): held back.
        }
      }
      const notice = failOpen ? 'noticeUnchecked' : (code === M.FailureCode.FIX ? 'noticeFixFailed' : 'noticeBlocked');
      showNotice(chrome.i18n.getMessage(notice), failOpen ? `${code}, passed` : code);
      return failOpen ? files : null;
    } finally {
      guard.remove();
    }
  }

  /**
   * Asks for this frame's warning to be shown over the top-level page: the name of the relay
   * channel the top guard listens on, or null when the top frame cannot show it (no content
   * script of ours there, e.g. a page the browser does not let extensions into; or it refused).
   * @returns {Promise<string | null>}
   */
  async function topHost() {
    const channel = crypto.randomUUID();
    try {
      const answer = await Promise.race([
        chrome.runtime.sendMessage({ type: M.Type.HOST_REQUEST, channel }),
        new Promise((resolve) => { setTimeout(() => resolve(null), HOST_WAIT_MS); }),
      ]);
      return answer?.ok === true ? channel : null;
    } catch {
      return null;
    }
  }

  /** How long a frame waits for the top frame to put a guard up before showing the warning
   * itself (a top page may keep the guard's frame from loading, by removing it, say). */
  const HOST_WAIT_MS = 3_000;

  /** Guards this top frame holds for frames' uploads (a frame cannot ask for more at once). */
  let hosted = 0;
  const MAX_HOSTED = 4;
  /** Longer than the top guard's own wait for the files (guard.js, RELAY_WAIT_MS). */
  const HOSTED_MAX_WAIT_MS = 40_000;

  /**
   * In the top frame: a guard for a frame's upload, told its relay channel. It stays hidden until
   * its guard says a warning is shown, and goes when the session ends (decided, failed, the
   * frame's guard gone, or no files came: the guard says so), or after HOSTED_MAX_WAIT_MS
   * without a warning (a guard that never started listening).
   * @param {string} channel
   * @returns {Promise<boolean>} whether the guard's frame is in the page and was told its channel
   */
  async function hostGuard(channel) {
    if (hosted >= MAX_HOSTED) return false;
    hosted += 1;
    const guard = new GuardFrame();
    const done = () => {
      if (guard.removed) return;
      hosted -= 1;
      clearInterval(guard.watch);
      clearTimeout(unshown);
      guard.remove();
    };
    const unshown = setTimeout(() => { if (!guard.shown) done(); }, HOSTED_MAX_WAIT_MS);
    try {
      /** @type {MessagePort} */
      const port = await Promise.race([
        guard.prepare(channel),
        new Promise((_, reject) => { setTimeout(() => reject(new GuardFailure(M.FailureCode.SILENT)), HOST_WAIT_MS); }),
      ]);
      guard.port = port;
      guard.used = true;
      port.onmessage = (event) => {
        const reply = M.parseGuardReply(event.data);
        if (reply?.type === 'show') guard.show();
        else if (reply) done();
      };
      // The page may close the popover: put it back while shown. (A page that removes the frame
      // ends the session: the frame's guard is told by the browser, see guard.js whenGone.)
      guard.watch = setInterval(() => {
        if (!guard.host.isConnected || !guard.frame.isConnected) done();
        else if (guard.shown && !guard.inTopLayer()) guard.raise();
      }, GUARD_WATCH_INTERVAL_MS);
      return true;
    } catch {
      done();
      return false;
    }
  }

  if (window === window.top) {
    chrome.runtime.onMessage.addListener((raw, sender, sendResponse) => {
      const order = M.parseHostMessage(raw);
      // Only the background (an extension context outside any tab) gives this order.
      if (order?.type !== 'host-guard' || sender.id !== chrome.runtime.id || sender.tab) return false;
      hostGuard(order.channel).then((ok) => sendResponse({ ok }), () => sendResponse({ ok: false }));
      return true;
    });
  }

  /**
   * A guard frame made ready when an upload begins — a file picker opens, files are dragged over
   * the page — so its engine has compiled by the time the person has chosen (the warning then
   * comes about 80 ms sooner). One at a time, used once, removed if no file comes.
   * @type {{guard: GuardFrame, retire: ReturnType<typeof setTimeout>} | null}
   */
  let spare = null;
  /** How long a spare guard frame waits for files (ms): a person may browse folders a while. */
  const SPARE_WAIT_MS = 60_000;

  /** At most one new spare this often (ms): a page firing the hook's signal in a loop, or a
   * person dragging back and forth, makes no more than that. */
  const SPARE_EVERY_MS = 2_000;
  let lastSpareAt = -Infinity;

  function warmUp() {
    // A spare still being made (not mounted yet) or mounted and untouched is kept.
    if (spare && !spare.guard.used && !spare.guard.removed && (!spare.guard.mounted || spare.guard.usable())) return;
    const now = performance.now();
    if (now - lastSpareAt < SPARE_EVERY_MS) return;
    lastSpareAt = now;
    spare?.guard.remove();
    clearTimeout(spare?.retire);
    const guard = new GuardFrame();
    // A failed spare is simply not used (takeSpare); the upload then gets a guard of its own.
    guard.prepare().catch(() => {});
    spare = {
      guard,
      retire: setTimeout(() => {
        if (spare?.guard !== guard) return;
        spare = null;
        guard.remove();
      }, SPARE_WAIT_MS),
    };
  }

  /** The spare guard frame, if it is still fit for a run; it is no longer spare. */
  function takeSpare() {
    const taken = spare;
    spare = null;
    if (!taken) return null;
    clearTimeout(taken.retire);
    if (taken.guard.usable()) return taken.guard;
    taken.guard.remove();
    return null;
  }

  /**
   * The person opens a file picker (pointer or keyboard on a file input, or a label for one).
   * Inputs in closed shadow roots are seen from the roots' own listeners (watchShadowRootsOnPath).
   * @param {Event} event
   */
  function onPickerClick(event) {
    if (redispatching || !event.isTrusted) return;
    const target = event.composedPath()[0];
    if (isFileInput(target) && !target.disabled) warmUp();
  }

  /** Files dragged over the page: a drop may follow. @param {DragEvent} event */
  function onDragEnter(event) {
    // The top frame only: a drag crosses every frame of the page (ad frames too), and one
    // ready guard is enough; a drop in a frame still gets a guard of its own.
    if (event.isTrusted && window === window.top && event.dataTransfer?.types.includes('Files')) warmUp();
  }

  /**
   * When the person last pressed a key or a pointer here (trusted events only). A picker opened
   * from script needs such a gesture within the last few seconds (browsers allow 5 s).
   */
  let lastGesture = -Infinity;
  const GESTURE_MS = 5_000;
  /** @param {Event} event */
  function onGesture(event) {
    if (event.isTrusted) lastGesture = performance.now();
  }

  /**
   * The MAIN-world hook saw a picker opened from script (an input's click(), showPicker(),
   * showOpenFilePicker()). The page can dispatch this signal too, so it only counts right after
   * a gesture of the person's (which opening a picker needs anyway), and warmUp makes at most one
   * frame every two seconds: a page gains a hidden frame made early, nothing more.
   */
  function onHookPicker() {
    if (performance.now() - lastGesture <= GESTURE_MS) warmUp();
  }

  /** The guard whose warning is on screen, if any. @type {GuardFrame | null} */
  let shownGuard = null;

  /**
   * Something of the page's entered the top layer (a popover, a modal dialog, full screen), so
   * it may be drawn over the warning: the warning goes back on top, and the guard refuses presses
   * for a moment. Told synchronously by the MAIN-world hook when a script does it, and by the
   * (queued) `toggle` event for popovers opened otherwise.
   * @param {Event} event
   */
  function onTopLayer(event) {
    const guard = shownGuard;
    if (!guard || event.target === guard.host) return;
    if (event.type === 'toggle' && /** @type {any} */ (event).newState !== 'open') return;
    guard.covered();
  }

  class GuardFailure extends Error {
    /** @param {string} code */
    constructor(code) {
      super(code);
      this.code = code;
    }
  }

  /**
   * The extension-origin iframe that checks the files and shows the warning. It sits in a closed
   * shadow root so page scripts and styles cannot reach into it, and stays invisible unless the
   * guard has something to say.
   */
  class GuardFrame {
    constructor() {
      this.host = document.createElement('sentinelle-guard');
      this.root = this.host.attachShadow({ mode: 'closed' });
      this.frame = document.createElement('iframe');
      /** @type {ReturnType<typeof setInterval> | undefined} */
      this.watch = undefined;
      this.shown = false;
      /** @type {MutationObserver | undefined} */
      this.styleGuard = undefined;
      /** @type {string | null} */
      this.styleText = null;
      /** @type {Promise<MessagePort> | undefined} */
      this.preparing = undefined;
      this.mounted = false;
      this.used = false;
      this.removed = false;
      /** @type {MessagePort | null} */
      this.port = null;
    }

    /**
     * Registers a nonce, puts the hidden frame in the page and hands it its end of a channel.
     * Done when an upload begins (see warmUp) or, failing that, when the files are there.
     * @returns {Promise<MessagePort>}
     */
    prepare(relay = '') {
      this.preparing ??= (async () => {
        const nonce = crypto.randomUUID();
        const registered = await chrome.runtime.sendMessage({ type: M.Type.GUARD_REGISTER, nonce });
        if (!registered?.ok) throw new GuardFailure(M.FailureCode.REJECTED);
        if (this.removed) throw new GuardFailure(M.FailureCode.GUARD_GONE); // a spare retired meanwhile
        const channel = new MessageChannel();
        this.mount();
        await new Promise((resolve) => {
          this.frame.addEventListener('load', resolve, { once: true });
          this.frame.src = chrome.runtime.getURL('guard/guard.html');
        });
        const target = new URL(chrome.runtime.getURL('')).origin;
        this.frame.contentWindow?.postMessage({ type: M.Type.GUARD_INIT, nonce, ...(relay ? { relay } : {}) }, target, [channel.port2]);
        return channel.port1;
      })();
      return this.preparing;
    }

    /** Whether a frame made in advance is still in the page, untouched, for a run. */
    usable() {
      return !this.used && !this.removed && this.host.isConnected && this.frame.isConnected;
    }

    /**
     * @param {File[]} files
     * @param {boolean} folder
     * @param {boolean} clipboard
     * @param {number} chosenAt see choiceTime
     * @param {string | null} relay the top guard's relay channel, when the warning is shown there
     *   (this frame then stays hidden: it only passes the files on and the answer back)
     * @returns {Promise<{decision: string, files: File[], copied: boolean}>}
     */
    run(files, folder, clipboard, chosenAt, relay = null) {
      this.used = true;
      const answer = new Promise((resolve, reject) => {
        let shown = false;
        let working = false;
        const expire = () => setTimeout(() => {
          if (!shown) reject(new GuardFailure(working ? M.FailureCode.TIMEOUT : M.FailureCode.SILENT));
        }, GUARD_ANSWER_TIMEOUT_MS);
        let timer = expire();
        // A page that removes the guard fails the session: held back or passed with a notice,
        // by profile (see guardFiles).
        this.watch = setInterval(() => {
          if (this.mounted && (!this.host.isConnected || !this.frame.isConnected)) reject(new GuardFailure(M.FailureCode.GUARD_GONE));
          else if (this.shown && !this.inTopLayer()) this.raise(); // the page closed our popover
        }, GUARD_WATCH_INTERVAL_MS);
        this.prepare().then((port) => {
          this.port = port;
          port.onmessage = (event) => {
            const reply = M.parseGuardReply(event.data);
            if (!reply) return;
            if (reply.type === 'working') {
              // Said when the files come, and again when a frame's guard gives up on the top
              // page's and checks them itself: the wait starts again.
              working = true;
              clearTimeout(timer);
              timer = expire();
            } else if (reply.type === 'show') {
              shown = true;
              clearTimeout(timer);
              if (!relay || reply.here) this.show();
            } else if (reply.type === 'failure') {
              clearTimeout(timer);
              reject(new GuardFailure(reply.code));
            } else {
              clearTimeout(timer);
              resolve(reply);
            }
          };
          port.postMessage({ type: M.Type.ANALYZE, files, folder, clipboard, host: location.hostname, chosenAt, ...(relay ? { relay } : {}) });
        }, reject);
      });
      return /** @type {Promise<{decision: string, files: File[], copied: boolean}>} */ (answer);
    }

    /** Inline !important styles: page CSS that targets the host cannot hide or move it. */
    applyStyle() {
      const style = this.host.style;
      for (const [prop, value] of Object.entries({
        all: 'initial', position: 'fixed', inset: '0', display: 'block', 'z-index': '2147483647',
        visibility: this.shown ? 'visible' : 'hidden', width: '100vw', height: '100vh', margin: '0',
        padding: '0', border: '0', opacity: '1', transform: 'none', filter: 'none', 'clip-path': 'none',
      })) style.setProperty(prop, value, 'important');
      this.styleText = this.host.getAttribute('style');
    }

    mount() {
      this.mounted = true;
      this.applyStyle();
      // A page that restyles the host gets the styles put back before the next frame is drawn.
      this.styleGuard = new MutationObserver(() => {
        if (this.host.getAttribute('style') !== this.styleText) this.applyStyle();
        if (this.host.getAttribute('popover') !== 'manual') {
          this.host.setAttribute('popover', 'manual');
          if (this.shown) this.raise();
        }
      });
      // A popover: once shown, the warning is in the top layer, drawn over everything the page
      // has that is not (whatever its z-index).
      this.host.setAttribute('popover', 'manual');
      this.styleGuard.observe(this.host, { attributes: true, attributeFilter: ['style', 'class', 'hidden', 'popover'] });
      this.frame.setAttribute('title', chrome.i18n.getMessage('extName'));
      this.frame.setAttribute('allowtransparency', 'true');
      this.frame.style.cssText = 'border:0;width:100%;height:100%;display:block;background:transparent;color-scheme:normal';
      this.root.append(this.frame);
      // Under <html>, not <body>: page styles on <body> (transform, filter) do not reach it.
      document.documentElement.append(this.host);
    }

    show() {
      this.shown = true;
      shownGuard = this;
      this.applyStyle();
      this.raise();
      if (window !== window.top) this.bringFrameIntoView();
      this.frame.focus();
    }

    /**
     * In a frame, the warning fills the frame: scroll the pages above so the whole frame is in
     * view (a person must see it, and Chromium reports a clipped warning as not visible, which
     * would make its buttons refuse presses). A box the size of this frame's viewport is
     * scrolled into view, as the document element may be much smaller than the frame.
     */
    bringFrameIntoView() {
      const anchor = document.createElement('sentinelle-anchor');
      anchor.style.cssText = `position:absolute;left:${window.scrollX}px;top:${window.scrollY}px;`
        + `width:${window.innerWidth}px;height:${window.innerHeight}px;pointer-events:none;visibility:hidden`;
      document.documentElement.append(anchor);
      anchor.scrollIntoView({ block: 'center', inline: 'center' });
      anchor.remove();
    }

    /** Whether the warning is in the top layer (where the browser has one). */
    inTopLayer() {
      try {
        return this.host.matches(':popover-open');
      } catch {
        return true; // no popovers in this browser: nothing to raise
      }
    }

    /**
     * Puts the warning last in the top layer, over anything the page put there before. A page
     * can refuse it (cancelling the host's `beforetoggle`): then presses are refused, as when
     * the warning is covered, for as long as it stays out (checked every watch interval).
     */
    raise() {
      const focused = document.activeElement === this.host;
      try {
        if (this.inTopLayer()) this.host.hidePopover();
        this.host.showPopover();
      } catch {
        // A browser without popovers: the z-index is all there is.
      }
      if (focused) this.frame.focus();
      if (!this.inTopLayer()) this.port?.postMessage({ type: M.Type.COVERED });
    }

    /** The page put something in the top layer while the warning is up. */
    covered() {
      this.raise();
      this.port?.postMessage({ type: M.Type.COVERED });
    }

    remove() {
      if (shownGuard === this) shownGuard = null;
      this.removed = true;
      clearInterval(this.watch);
      this.styleGuard?.disconnect();
      this.shown = false;
      // Hidden at once; taken out of the page a moment later, so the frame finishes handling the
      // click that made the choice (removing an out-of-process frame mid-event aborts its input).
      this.host.style.setProperty('visibility', 'hidden', 'important');
      setTimeout(() => this.host.remove(), FRAME_REMOVAL_DELAY_MS);
    }
  }

  /**
   * A short notice in the page's corner, for when the guard could not help. Closed shadow root,
   * role=status so screen readers announce it; it goes away by itself.
   * @param {string} text
   * @param {string} code
   */
  function showNotice(text, code) {
    console.info('Sentinelle notice (%s)', code);
    const host = document.createElement('sentinelle-notice');
    const root = host.attachShadow({ mode: 'closed' });
    const box = document.createElement('div');
    box.setAttribute('role', 'status');
    box.textContent = text;
    box.style.cssText = 'position:fixed;inset-block-end:16px;inset-inline-end:16px;max-width:360px;z-index:2147483647;'
      + 'background:#1f2937;color:#fff;font:15px/1.4 system-ui,sans-serif;padding:12px 16px;border-radius:8px;'
      + 'box-shadow:0 4px 16px rgba(0,0,0,.3)';
    root.append(box);
    (document.body ?? document.documentElement).append(host);
    setTimeout(() => host.remove(), 8000);
  }

  /**
   * Whether a synthetic paste can carry files to the page (Chromium yes; Firefox ignores
   * clipboardData in the ClipboardEvent constructor).
   */
  const canRepaste = (() => {
    try {
      const clipboardData = transferOf([new File(['x'], 'x.txt')]);
      return new ClipboardEvent('paste', { clipboardData }).clipboardData?.files.length === 1;
    } catch {
      return false;
    }
  })();
  /**
   * After a check where the page cannot be given the paste, the person's next paste goes through
   * — if it is what they were told to paste: the same files they chose to send as they are, or
   * one picture (the cleaned copy the guard put on the clipboard, which holds pixels only).
   * Anything else pasted meanwhile is checked like any paste.
   */
  const PASTE_AGAIN_MS = 60_000;
  /** @type {{until: number, accepts: (files: File[]) => boolean} | null} */
  let pasteAgain = null;

  /**
   * A photo pasted into the page: held back and checked. Where the browser allows it, the page
   * gets the chosen files in a synthetic paste; elsewhere the person is told how to go on.
   * @param {ClipboardEvent} event
   */
  function onPaste(event) {
    if (redispatching || !event.isTrusted || !event.clipboardData) return;
    const files = Array.from(event.clipboardData.files);
    if (!files.some(looksLikeImage)) return;
    const expected = pasteAgain;
    pasteAgain = null;
    if (expected && Date.now() < expected.until && expected.accepts(files)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const target = event.composedPath()[0];
    let copied = false;
    guardFiles(files, { clipboard: !canRepaste, onCopied: () => { copied = true; }, chosenAt: choiceTime(event) }).then((outcome) => {
      if (!outcome || outcome.length === 0 || !(target instanceof EventTarget)) return;
      if (canRepaste) {
        const clipboardData = transferOf(outcome);
        dispatchOwn(target, new ClipboardEvent('paste', { bubbles: true, cancelable: true, composed: true, clipboardData }));
      } else if (outcome === files) {
        const same = (/** @type {File} */ a, /** @type {File} */ b) => a.name === b.name && a.size === b.size && a.type === b.type;
        pasteAgain = {
          until: Date.now() + PASTE_AGAIN_MS,
          accepts: (again) => again.length === files.length && again.every((f) => files.some((g) => same(f, g))),
        };
        showNotice(chrome.i18n.getMessage('pasteAgain'), 'paste-again');
      } else if (copied) {
        // The guard put the cleaned copy on the clipboard: the next paste is that copy.
        pasteAgain = {
          until: Date.now() + PASTE_AGAIN_MS,
          accepts: (again) => again.length === 1 && again[0]?.type === 'image/png',
        };
        showNotice(chrome.i18n.getMessage('pasteCleanCopied'), 'paste-clean-copied');
      } else {
        showNotice(chrome.i18n.getMessage('pasteUseUpload'), 'paste-clean-unsupported');
      }
    });
  }

  /** Shadow roots this script listens on (found lazily, see watchShadowRootsOnPath). */
  const watchedRoots = new WeakSet();

  /**
   * Shadow roots that no hook saw being made (declarative shadow DOM, or roots made before the
   * MAIN-world hook ran): the person's pointer or keyboard reaches a file input through them, and
   * those events are composed, so they pass here first. Listening on each root on the path, closed
   * ones included, catches the input's uncomposed `change` before the page's own listeners.
   * @param {Event} event
   */
  function watchShadowRootsOnPath(event) {
    if (!event.isTrusted) return;
    for (const node of event.composedPath()) {
      if (!(node instanceof Element)) continue;
      const root = shadowRootOf(node);
      if (!root || watchedRoots.has(root)) continue;
      watchedRoots.add(root);
      root.addEventListener('input', onFileEvent, true);
      root.addEventListener('change', onFileEvent, true);
      root.addEventListener('click', onPickerClick, true);
      // Roots nested in a closed root are only visible from inside it.
      root.addEventListener('pointerdown', watchShadowRootsOnPath, true);
      root.addEventListener('keydown', watchShadowRootsOnPath, true);
    }
  }

  window.addEventListener('pointerdown', watchShadowRootsOnPath, true);
  window.addEventListener('keydown', watchShadowRootsOnPath, true);
  window.addEventListener('pointerdown', onGesture, true);
  window.addEventListener('keydown', onGesture, true);
  window.addEventListener('input', onFileEvent, true);
  window.addEventListener('change', onFileEvent, true);
  window.addEventListener(SIGNAL, onHookSignal, true);
  window.addEventListener('drop', onDrop, true);
  window.addEventListener('click', onPickerClick, true);
  window.addEventListener('dragenter', onDragEnter, true);
  window.addEventListener(PICKER_SIGNAL, onHookPicker, true);
  window.addEventListener(TOP_LAYER_SIGNAL, onTopLayer, true);
  window.addEventListener('toggle', onTopLayer, true);
  document.addEventListener('fullscreenchange', onTopLayer, true);
  window.addEventListener('paste', onPaste, true);
})();
