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
// A hostile page can undo these patches (pristine prototypes from a fresh iframe): this hook is for
// ordinary sites, and the README says so.
(() => {
  'use strict';
  const SIGNAL = 'sentinelle-file-input';
  const PICKER_SIGNAL = 'sentinelle-picker-opening';
  const PENDING = 'data-sentinelle-pending';
  const PASS = 'data-sentinelle-pass';
  const hooked = /** @type {any} */ (window);
  if (hooked.__sentinelleMainHook) return;
  Object.defineProperty(hooked, '__sentinelleMainHook', { value: true });

  const addListener = EventTarget.prototype.addEventListener;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const hasAttribute = Element.prototype.hasAttribute;
  const setAttribute = Element.prototype.setAttribute;

  /** @param {unknown} node @returns {node is HTMLInputElement} */
  function isFileInput(node) {
    return node instanceof HTMLInputElement && node.type === 'file';
  }

  /** Inputs whose pair of events (input, then change) is being handled in this task. */
  const inPair = new WeakSet();

  /** @param {Event} event */
  function onFileEvent(event) {
    const input = event.composedPath()[0];
    if (!isFileInput(input) || !event.isTrusted) return;
    if (hasAttribute.call(input, PASS)) return; // the isolated world's own delivery
    if (hasAttribute.call(input, PENDING) || inPair.has(input)) {
      event.stopImmediatePropagation();
      return;
    }
    if (!input.files || input.files.length === 0) return;
    event.stopImmediatePropagation();
    inPair.add(input);
    setTimeout(() => inPair.delete(input), 0);
    setAttribute.call(input, PENDING, '');
    const signal = new CustomEvent(SIGNAL, { bubbles: true, composed: true });
    if (input.isConnected) {
      dispatch.call(input, signal);
    } else {
      // Attached for the time of one synchronous dispatch, so the isolated world gets the element
      // itself as the event target.
      const parent = document.documentElement;
      parent.append(input);
      try {
        dispatch.call(input, signal);
      } finally {
        input.remove();
      }
    }
  }

  /** @param {EventTarget} target */
  function watch(target) {
    addListener.call(target, 'input', onFileEvent, true);
    addListener.call(target, 'change', onFileEvent, true);
  }

  const watchedInputs = new WeakSet();
  /** @param {HTMLElement} element */
  function watchDetached(element) {
    if (isFileInput(element) && !element.isConnected && !watchedInputs.has(element)) {
      watchedInputs.add(element);
      watch(element);
    }
  }

  /** Tells the isolated world a picker is opening from script, so it makes the guard ready. */
  function pickerOpening() {
    dispatch.call(window, new CustomEvent(PICKER_SIGNAL));
  }

  const click = HTMLElement.prototype.click;
  HTMLElement.prototype.click = function clickHook() {
    if (isFileInput(this)) {
      watchDetached(this);
      pickerOpening();
    }
    return click.call(this);
  };
  const showPicker = HTMLInputElement.prototype.showPicker;
  if (showPicker) {
    HTMLInputElement.prototype.showPicker = function showPickerHook() {
      watchDetached(this);
      if (isFileInput(this)) pickerOpening();
      return showPicker.call(this);
    };
  }
  // showOpenFilePicker (Chromium): the page reads files through handle.getFile(). Each handle's
  // getFile is replaced by one that hands the File (never its bytes) to the isolated world in a
  // detached input, exactly like a picked file, and resolves with what the person chose.
  const picker = /** @type {any} */ (window).showOpenFilePicker;
  if (typeof picker === 'function') {
    /** @type {any} */ (window).showOpenFilePicker = async function showOpenFilePickerHook(/** @type {any[]} */ ...args) {
      pickerOpening();
      const handles = await picker.apply(this, args);
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
      const parent = document.documentElement;
      parent.append(input);
      try {
        dispatch.call(input, new CustomEvent(SIGNAL, { bubbles: true, composed: true }));
      } finally {
        input.remove();
      }
    });
  }

  const attachShadow = Element.prototype.attachShadow;
  /** @param {ShadowRootInit} init */
  Element.prototype.attachShadow = function attachShadowHook(init) {
    const root = attachShadow.call(this, init);
    watch(root);
    return root;
  };
})();
