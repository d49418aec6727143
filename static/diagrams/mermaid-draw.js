// Draw every <pre class="mermaid"> diagram of the page, and those htmx swaps in.
// A file, not an inline <script>: the Content-Security-Policy allows scripts
// from this site only (script-src 'self'), never inline code.
(() => {
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  const draw = () =>
    mermaid.run({ querySelector: "pre.mermaid:not([data-processed])" });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSwap", draw);
})();
