// Removes every element put under <html> or <body> after the page loaded (see remover.html).
'use strict';
const own = new Set();
document.addEventListener('DOMContentLoaded', () => {
  for (const el of document.querySelectorAll('*')) own.add(el);
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node instanceof Element && !own.has(node)) node.remove();
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
});
