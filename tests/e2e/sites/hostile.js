// A hostile page. `?attack=NAME` picks what it tries against the guard; `window.pageSaw` records
// any file it gets, `window.learned` anything it manages to read about the warning.
'use strict';
const w = /** @type {any} */ (window);
/** @type {{source: string, files: {name: string, size: number}[]}[]} */
const pageSaw = [];
/** @type {string[]} */
const learned = [];
w.pageSaw = pageSaw;
w.learned = learned;
const attack = new URLSearchParams(location.search).get('attack') ?? '';

const photo = /** @type {HTMLInputElement} */ (document.getElementById('photo'));
photo.addEventListener('change', () => {
  pageSaw.push({ source: 'photo', files: Array.from(photo.files ?? [], (f) => ({ name: f.name, size: f.size })) });
});

/** Everything the page can try to read from the guard it can see. @param {Element} host */
function tryToRead(host) {
  learned.push(`host:${host.localName}`);
  if (host.shadowRoot) learned.push('shadowRoot is open');
  for (let i = 0; i < window.frames.length; i += 1) {
    try {
      const text = window.frames[i]?.document.body?.innerText;
      if (text) learned.push(`frame ${i}: ${text}`);
    } catch {
      // cross-origin: as it should be
    }
  }
}

/** Posts every message a page could forge, to every frame and to itself. */
function forge() {
  const nonce = crypto.randomUUID();
  for (let i = 0; i < window.frames.length; i += 1) {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => learned.push(`guard answered: ${JSON.stringify(e.data)}`);
    window.frames[i]?.postMessage({ type: 'sentinelle/guard-init', nonce }, '*', [channel.port2]);
    channel.port1.postMessage({ type: 'sentinelle/analyze', files: [new File(['x'], 'x.jpg', { type: 'image/jpeg' })] });
    window.frames[i]?.postMessage({ type: 'sentinelle/decision', decision: 'original', files: [] }, '*');
  }
  window.postMessage({ type: 'sentinelle/decision', decision: 'original', files: [] }, '*');
  photo.dispatchEvent(new CustomEvent('sentinelle-file-input', { bubbles: true, composed: true }));
  photo.setAttribute('data-sentinelle-pass', '');
  photo.dispatchEvent(new Event('change', { bubbles: true }));
  photo.removeAttribute('data-sentinelle-pass');
}

/** @param {Element} host */
function onGuard(host) {
  tryToRead(host);
  if (attack === 'remove-guard') host.remove();
  if (attack === 'restyle-guard') {
    const restyle = () => host.setAttribute('style', 'display:none !important; opacity:0');
    restyle();
    setInterval(restyle, 20);
  }
  if (attack === 'forge') setTimeout(forge, 200);
  if (attack === 'read') setTimeout(() => tryToRead(host), 500);
  if (attack === 'overlay') {
    // Clickjacking: a decoy drawn over the warning, letting clicks through to it.
    const decoy = document.createElement('div');
    decoy.textContent = 'Click the blue button to continue';
    decoy.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(255,255,255,.6);pointer-events:none;font:32px sans-serif';
    document.documentElement.append(decoy);
  }
  if (attack === 'overlay-top') {
    // The same decoy in the top layer, put back on top ten times a second.
    const decoy = document.createElement('div');
    decoy.textContent = 'Click the blue button to continue';
    decoy.popover = 'manual';
    decoy.style.cssText = 'position:fixed;inset:0;width:100vw;height:100vh;margin:0;border:0;background:rgba(255,255,255,.6);pointer-events:none;font:32px sans-serif';
    document.documentElement.append(decoy);
    decoy.showPopover();
    setInterval(() => {
      decoy.hidePopover();
      decoy.showPopover();
    }, 100);
  }
}

if (attack === 'summon') {
  // Asking for a guard (the MAIN-world hook's "a picker is opening" signal) with no gesture of
  // the person's: nothing should come.
  let sent = 0;
  const timer = setInterval(() => {
    window.dispatchEvent(new CustomEvent('sentinelle-picker-opening'));
    sent += 1;
    if (sent >= 10) clearInterval(timer);
  }, 100);
}

new MutationObserver((mutations) => {
  for (const m of mutations) {
    for (const node of m.addedNodes) if (node instanceof Element && node.localName === 'sentinelle-guard') onGuard(node);
  }
}).observe(document.documentElement, { childList: true, subtree: true });

// Prototypes from a fresh realm: the page takes `click` from a frame it just made (reached in
// one of three ways) and opens a detached input with it, hoping the MAIN-world hook is not there.
document.getElementById('detached')?.addEventListener('click', () => {
  const holder = document.createElement('div');
  document.body.append(holder);
  /** @type {any} */
  let realm;
  if (attack === 'pristine-frames') {
    holder.append(document.createElement('iframe'));
    realm = window.frames[window.frames.length - 1];
  } else if (attack === 'pristine-html') {
    holder.innerHTML = '<iframe></iframe>';
    realm = /** @type {any} */ (window)[window.length - 1];
  } else {
    const frame = document.createElement('iframe');
    holder.append(frame);
    realm = frame.contentWindow;
  }
  const pristineClick = realm.HTMLElement.prototype.click;
  // (An input of the frame's own document would open no picker: the person's gesture was here.)
  const input = document.createElement('input');
  holder.remove();
  input.type = 'file';
  // A capturing listener, added before the picker opens: it must still not see the photo before
  // the person has decided.
  input.addEventListener('change', () => pageSaw.push({ source: 'pristine', files: Array.from(input.files ?? [], (/** @type {File} */ f) => ({ name: f.name, size: f.size })) }), true);
  pristineClick.call(input);
});
