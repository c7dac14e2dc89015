// MAIN-world hook: the few places the isolated world cannot see, and nothing more.
//
// - A file input that is clicked (or showPicker()ed) without ever being attached to the document
//   (the Telegram Web pattern): its events never reach `window`.
// - A file input inside a shadow root (open or closed): `change` is never composed, and in Firefox
//   `input` is not either.
// - showOpenFilePicker() (Chromium): files read through handles, never through an input.
//
// For those inputs it stops the trusted `input`/`change` before page listeners and signals the
// isolated world with a DOM event. It never reads, copies or sends file data: the isolated world
// reads `input.files` from the shared DOM. Attributes on the input carry the state between worlds.
//
// A page could take pristine prototypes from a realm this hook has not patched: a fresh
// same-origin frame (its first, empty document gets no content script in time) or a window it
// opens. So such realms are patched as soon as the usual ways reach them: the getters that hand
// out a frame's window or document, every DOM insertion (after which the frames are looked over),
// a frame's `load` (which Chromium fires during the insertion itself), window.open, and, while
// the document loads, frames the parser inserts. Not covered: code the page runs in the middle of
// an insertion (an inline script or a custom element inserted together with the frame) reaching
// `frames[n]` first; past that, a realm is still patched by the content script the browser injects.
(() => {
  'use strict';
  const SIGNAL = 'sentinelle-file-input';
  const PICKER_SIGNAL = 'sentinelle-picker-opening';
  const TOP_LAYER_SIGNAL = 'sentinelle-top-layer';
  const PENDING = 'data-sentinelle-pending';
  const PASS = 'data-sentinelle-pass';
  const hooked = /** @type {any} */ (window);
  if (hooked.__sentinelleMainHook) return;
  Object.defineProperty(hooked, '__sentinelleMainHook', { value: true });

  // The page's scripts run after this one and may replace any of these; the hook keeps its own.
  const addListener = EventTarget.prototype.addEventListener;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const hasAttribute = Element.prototype.hasAttribute;
  const setAttribute = Element.prototype.setAttribute;
  const appendNode = Element.prototype.append;
  const removeNode = Element.prototype.remove;
  const SignalEvent = CustomEvent;
  const pathOf = Event.prototype.composedPath;
  const filesOf = /** @type {(this: unknown) => FileList | null} */ (Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'files')?.get);
  const rootOf = /** @type {(this: Document) => Element | null} */ (Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement')?.get);
  const labelControl = /** @type {(this: unknown) => unknown} */ (Object.getOwnPropertyDescriptor(HTMLLabelElement.prototype, 'control')?.get);
  const inputType = /** @type {(this: unknown) => string} */ (Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'type')?.get);
  const connected = /** @type {(this: unknown) => boolean} */ (Object.getOwnPropertyDescriptor(Node.prototype, 'isConnected')?.get);

  /**
   * A file input of any same-origin realm (a frame's inputs are not `instanceof` this window's
   * HTMLInputElement); the browser's own getter answers, whatever the page redefined.
   * @param {unknown} node
   * @returns {node is HTMLInputElement}
   */
  function isFileInput(node) {
    try {
      return inputType.call(node) === 'file';
    } catch {
      return false;
    }
  }

  /** Inputs whose pair of events (input, then change) is being handled in this task. */
  const inPair = new WeakSet();

  /** @param {Event} event */
  function onFileEvent(event) {
    const input = pathOf.call(event)[0];
    if (!isFileInput(input) || !event.isTrusted) return;
    if (hasAttribute.call(input, PASS)) return; // the isolated world's own delivery
    if (hasAttribute.call(input, PENDING) || inPair.has(input)) {
      event.stopImmediatePropagation();
      return;
    }
    const files = filesOf.call(input);
    if (!files || files.length === 0) return;
    event.stopImmediatePropagation();
    inPair.add(input);
    setTimeout(() => inPair.delete(input), 0);
    setAttribute.call(input, PENDING, '');
    signalFrom(input);
  }

  /**
   * Hands `input` to the isolated world: the signal event, dispatched on the input itself. A
   * detached input is attached for the time of that one synchronous dispatch, so the isolated
   * world gets the element itself as the event target.
   * @param {HTMLInputElement} input
   */
  function signalFrom(input) {
    const signal = new SignalEvent(SIGNAL, { bubbles: true, composed: true });
    if (connected.call(input)) {
      dispatch.call(input, signal);
      return;
    }
    appendNode.call(rootOf.call(document), input);
    try {
      dispatch.call(input, signal);
    } finally {
      removeNode.call(input);
    }
  }

  /** @param {EventTarget} target */
  function watch(target) {
    addListener.call(target, 'input', onFileEvent, true);
    addListener.call(target, 'change', onFileEvent, true);
  }

  const watchedInputs = new WeakSet();
  /** Listens on `input` itself, once. @param {HTMLInputElement} input */
  function watchOnce(input) {
    if (watchedInputs.has(input)) return;
    watchedInputs.add(input);
    watch(input);
  }

  /** @param {HTMLElement} element */
  function watchDetached(element) {
    if (isFileInput(element) && !connected.call(element)) watchOnce(element);
  }

  /**
   * An input the page listens to for `input` or `change`: this hook listens first, so a page
   * listener added before the picker opens (even a capturing one) still comes after it.
   * @param {unknown} node
   */
  function listenFirst(node) {
    try {
      inputType.call(node); // throws unless an <input>
    } catch {
      return;
    }
    watchOnce(/** @type {HTMLInputElement} */ (node));
  }

  /**
   * Tells the isolated world something on `window`. Never throws: it runs inside the page's own
   * calls (in a realm that outlived this window, the call still goes through, untold).
   * @param {string} name
   */
  function tell(name) {
    try {
      dispatch.call(window, new SignalEvent(name));
    } catch {
      // nothing to tell it with
    }
  }

  /** A picker is opening from script: the isolated world makes the guard ready. */
  const pickerOpening = () => tell(PICKER_SIGNAL);

  /** The realms patched so far, by their HTMLElement.prototype (a navigated frame is a new realm). */
  const patched = new WeakSet();
  /** Frames of another origin: their realms are out of the page's reach (and of this hook's). */
  const foreign = new WeakSet();
  const framesOf = /** @type {() => number} */ (Object.getOwnPropertyDescriptor(window, 'length')?.get ?? (() => 0));
  /** Most frames looked over (a page with a thousand frames is checked as far as this). */
  const MAX_FRAMES = 1024;

  /**
   * Patches the same-origin frames below `win`, recursively.
   * @param {Window} win
   */
  function patchFrames(win, budget = { left: MAX_FRAMES }) {
    const count = framesOf.call(win);
    for (let i = 0; i < count && budget.left > 0; i += 1) {
      budget.left -= 1;
      const child = /** @type {any} */ (win)[i];
      if (!child || foreign.has(child)) continue;
      let proto;
      try {
        proto = child.HTMLElement.prototype;
      } catch {
        foreign.add(child);
        continue;
      }
      if (!patched.has(proto)) patchRealm(child);
      patchFrames(child, budget);
    }
  }

  /** A load event: if a frame's, look the frames over. @param {Event} event */
  function onFrameLoad(event) {
    const target = /** @type {any} */ (event.target);
    if (target && target !== window && typeof target.localName === 'string' && /^(iframe|frame|object)$/.test(target.localName)) patchAllFrames();
  }

  /** Looks over the frames of the window this hook runs in (after anything that may add one).
   * Never throws: it runs inside the page's own calls. */
  const patchAllFrames = () => {
    try {
      patchFrames(window);
    } catch {
      // a realm that cannot be patched (frozen prototypes): the content script's injection remains
    }
  };

  /**
   * Replaces method `name` of `proto` by one that calls it, then `after()`.
   * @param {any} proto
   * @param {string} name
   * @param {() => void} after
   */
  function wrapMethod(proto, name, after) {
    const desc = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || typeof desc.value !== 'function') return;
    const original = desc.value;
    const wrapper = { [name](/** @type {any[]} */ ...args) {
      try {
        return Reflect.apply(original, this, args);
      } finally {
        after();
      }
    } }[name];
    Object.defineProperty(wrapper, 'length', { value: original.length });
    Object.defineProperty(proto, name, { ...desc, value: wrapper });
  }

  /**
   * Replaces the setter of accessor `name` of `proto` by one that sets, then calls `after()`.
   * @param {any} proto
   * @param {string} name
   * @param {() => void} after
   */
  function wrapSetter(proto, name, after) {
    const desc = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!desc?.set) return;
    const set = desc.set;
    Object.defineProperty(proto, name, { ...desc, set(/** @type {unknown} */ value) {
      try {
        Reflect.apply(set, this, [value]);
      } finally {
        after();
      }
    } });
  }

  /**
   * Replaces the getter of accessor `name` of `proto` by one that first patches the frames (so
   * a frame's window or document is handed out patched).
   * @param {any} proto
   * @param {string} name
   */
  function patchBeforeGet(proto, name) {
    const desc = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!desc?.get) return;
    const get = desc.get;
    Object.defineProperty(proto, name, { ...desc, get() {
      patchAllFrames();
      return Reflect.apply(get, this, []);
    } });
  }

  /** Every way a page adds nodes (and so, maybe, a frame), by interface. */
  const INSERTIONS = {
    Node: ['appendChild', 'insertBefore', 'replaceChild'],
    Element: ['append', 'prepend', 'after', 'before', 'replaceWith', 'replaceChildren', 'insertAdjacentElement', 'insertAdjacentHTML', 'setHTMLUnsafe', 'moveBefore'],
    CharacterData: ['after', 'before', 'replaceWith'],
    DocumentType: ['after', 'before', 'replaceWith'],
    Document: ['append', 'prepend', 'replaceChildren', 'write', 'writeln', 'execCommand', 'moveBefore'],
    DocumentFragment: ['append', 'prepend', 'replaceChildren', 'moveBefore'],
    ShadowRoot: ['setHTMLUnsafe'],
    Range: ['insertNode', 'surroundContents'],
  };
  const HTML_SETTERS = { Element: ['innerHTML', 'outerHTML'], ShadowRoot: ['innerHTML'] };

  /**
   * Installs this hook's patches in the realm of `win` (this window, or a same-origin frame's or
   * popup's): the file-picker patches, and the ways to reach further realms.
   * @param {any} win
   */
  function patchRealm(win) {
    const proto = win.HTMLElement?.prototype;
    if (!proto || patched.has(proto)) return;
    patched.add(proto);

    const click = proto.click;
    proto.click = function clickHook() {
      // A detached label's click() opens its input's picker too.
      let target = this;
      if (!isFileInput(target)) {
        try {
          target = labelControl.call(this);
        } catch {
          // not a label
        }
      }
      if (isFileInput(target)) {
        watchDetached(target);
        pickerOpening();
      }
      return Reflect.apply(click, this, []);
    };
    const inputProto = win.HTMLInputElement?.prototype;
    const showPicker = inputProto?.showPicker;
    if (showPicker) {
      inputProto.showPicker = function showPickerHook() {
        watchDetached(this);
        if (isFileInput(this)) pickerOpening();
        return Reflect.apply(showPicker, this, []);
      };
    }
    // showOpenFilePicker (Chromium): the page reads files through handle.getFile(). Each handle's
    // getFile is replaced by one that hands the File (never its bytes) to the isolated world in a
    // detached input, exactly like a picked file, and resolves with what the person chose.
    const picker = win.showOpenFilePicker;
    if (typeof picker === 'function') {
      win.showOpenFilePicker = async function showOpenFilePickerHook(/** @type {any[]} */ ...args) {
        pickerOpening();
        const handles = await Reflect.apply(picker, this, args);
        for (const handle of handles) {
          const getFile = handle.getFile;
          /** @type {Promise<File> | null} */
          let checked = null;
          Object.defineProperty(handle, 'getFile', {
            configurable: true,
            value: () => (checked ??= Promise.resolve(getFile.call(handle)).then(guardFile)),
          });
        }
        return handles;
      };
    }
    const attachShadow = win.Element?.prototype.attachShadow;
    if (attachShadow) {
      win.Element.prototype.attachShadow = function attachShadowHook(/** @type {ShadowRootInit} */ init) {
        const root = Reflect.apply(attachShadow, this, [init]);
        watch(root);
        addListener.call(root, 'load', onFrameLoad, true);
        return root;
      };
    }
    // A frame's load, before the page's own onload sees it (Chromium fires an empty frame's load
    // during the insertion that made it).
    try {
      addListener.call(win, 'load', onFrameLoad, true);
    } catch {
      // a window that cannot be listened to
    }

    const listen = win.EventTarget?.prototype.addEventListener;
    if (listen) {
      win.EventTarget.prototype.addEventListener = { addEventListener(/** @type {any[]} */ ...args) {
        if (args[0] === 'change' || args[0] === 'input') listenFirst(this);
        return Reflect.apply(listen, this, args);
      } }.addEventListener;
    }

    // The ways into the top layer, where something could be drawn over a warning (which the
    // isolated world then raises again, before the browser paints).
    const topLayer = () => tell(TOP_LAYER_SIGNAL);
    wrapMethod(win.HTMLElement?.prototype, 'showPopover', topLayer);
    wrapMethod(win.HTMLElement?.prototype, 'togglePopover', topLayer);
    wrapMethod(win.HTMLDialogElement?.prototype, 'showModal', topLayer);
    for (const name of ['requestFullscreen', 'webkitRequestFullscreen', 'webkitRequestFullScreen']) {
      const fullscreen = win.Element?.prototype[name];
      if (typeof fullscreen !== 'function') continue;
      win.Element.prototype[name] = { [name](/** @type {any[]} */ ...args) {
        const entered = Reflect.apply(fullscreen, this, args);
        Promise.resolve(entered).then(topLayer, () => {});
        return entered;
      } }[name];
    }

    // The ways to a further realm.
    for (const element of ['HTMLIFrameElement', 'HTMLFrameElement', 'HTMLObjectElement']) {
      patchBeforeGet(win[element]?.prototype, 'contentWindow');
      patchBeforeGet(win[element]?.prototype, 'contentDocument');
    }
    for (const [iface, names] of Object.entries(INSERTIONS)) {
      for (const name of names) wrapMethod(win[iface]?.prototype, name, patchAllFrames);
    }
    for (const [iface, names] of Object.entries(HTML_SETTERS)) {
      for (const name of names) wrapSetter(win[iface]?.prototype, name, patchAllFrames);
    }
    const open = win.open;
    if (typeof open === 'function') {
      win.open = function openHook(/** @type {any[]} */ ...args) {
        const opened = Reflect.apply(open, this, args);
        try {
          if (opened) patchRealm(opened); // same-origin (about:blank): patched before it is used
        } catch {
          // another origin: out of the page's reach too
        }
        return opened;
      };
    }
  }

  /**
   * @param {File} file
   * @returns {Promise<File>}
   */
  function guardFile(file) {
    const input = document.createElement('input');
    input.type = 'file';
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    return new Promise((resolve, reject) => {
      addListener.call(input, 'change', () => {
        const chosen = input.files?.[0];
        if (chosen) resolve(chosen);
        else reject(new DOMException('The user aborted a request.', 'AbortError'));
      });
      addListener.call(input, 'cancel', () => reject(new DOMException('The user aborted a request.', 'AbortError')));
      setAttribute.call(input, PENDING, '');
      signalFrom(input);
    });
  }

  patchRealm(window);
  // Frames the parser inserts while the document loads (before each parser-inserted script the
  // browser runs pending observers, so they are patched before any page script sees them); after
  // that, frames only come through the patched insertions.
  if (document.readyState === 'loading') {
    const parserFrames = new MutationObserver(patchAllFrames);
    parserFrames.observe(document, { childList: true, subtree: true });
    addListener.call(document, 'DOMContentLoaded', () => {
      parserFrames.disconnect();
      patchAllFrames();
    }, { once: true });
  }
})();
