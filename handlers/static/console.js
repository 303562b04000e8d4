// The console's live view: a websocket tells which case changed; the page
// fetches that case's fresh HTML (rendered and escaped by the server) and
// puts it in place. No client-side model.
(function () {
  "use strict";
  // The printable invitation's button (no inline script: the pages' policy forbids it).
  document.querySelectorAll("button.print").forEach((b) => b.addEventListener("click", () => window.print()));
  const main = document.querySelector("main[data-page]");
  if (!main) return;
  const page = main.dataset.page;
  const live = document.getElementById("live");
  const unread = JSON.parse(localStorage.getItem("jiefen-unread") || "{}");

  function markUnread() {
    document.querySelectorAll("tr[data-case]").forEach((tr) => {
      const b = tr.querySelector(".badge.unread");
      if (b) b.hidden = !unread[tr.dataset.case];
    });
  }
  if (page === "case") {
    delete unread[main.dataset.case];
    localStorage.setItem("jiefen-unread", JSON.stringify(unread));
  }
  markUnread();

  // The thread reads top to bottom; show its newest end.
  function toBottom() {
    const ol = document.querySelector("#thread .events");
    if (ol) ol.scrollTop = ol.scrollHeight;
  }
  toBottom();

  async function fragment(url) {
    const r = await fetch(url, { credentials: "same-origin" });
    if (r.redirected) { location.reload(); return null; } // the session ended: to the login page
    if (r.status === 404) { // the case left this body (declined, transferred)
      const id = decodeURIComponent(url.split("/")[3]);
      const row = document.getElementById("case-" + id);
      if (row) row.remove();
      return null;
    }
    if (!r.ok) return null;
    const t = document.createElement("template");
    t.innerHTML = (await r.text()).trim();
    return t.content;
  }

  // A message on its way shows "发送中" until the platform has it; the
  // store tells no one when that happens, so the page looks again while
  // any is on its way.
  // What the mediator has on screen: a reply is checked against it, so one
  // drafted while the citizen wrote again is not sent past their words.
  function seenNow() {
    const ol = document.querySelector("#thread .events");
    const seen = document.querySelector("form.reply input[name=seen]");
    if (ol && seen) seen.value = ol.dataset.lastIn;
  }

  let polling = null;
  function watchDeliveries() {
    if (page !== "case" || polling || !document.querySelector("#thread .delivery.pending")) return;
    polling = setTimeout(async () => {
      polling = null;
      const html = await fragment("/console/cases/" + encodeURIComponent(main.dataset.case) + "/thread");
      if (html) { document.getElementById("thread").replaceChildren(html); toBottom(); }
      watchDeliveries();
    }, 3000);
  }
  watchDeliveries();

  // Who else has this case open, as the server says (never oneself).
  function presence(ev) {
    const p = document.getElementById("presence");
    if (!p || page !== "case" || ev.case !== main.dataset.case) return;
    p.textContent = ev.presence.length ? ev.presence.join("、") + " 也在查看此案件" : "";
    p.hidden = ev.presence.length === 0;
  }

  async function changed(ev) {
    if (Array.isArray(ev.presence)) { presence(ev); return; }
    if (ev.gone) {
      const row = document.getElementById("case-" + ev.case);
      if (row) row.remove();
      if (page === "case" && ev.case === main.dataset.case) location.href = "/console/";
      return;
    }
    if (page === "queue") {
      const html = await fragment("/console/cases/" + encodeURIComponent(ev.case) + "/row");
      if (!html) return;
      const old = document.getElementById("case-" + ev.case);
      const empty = document.querySelector("#rows tr.empty");
      if (empty) empty.remove();
      if (old) old.replaceWith(html);
      else document.getElementById("rows").prepend(html);
      unread[ev.case] = true;
      localStorage.setItem("jiefen-unread", JSON.stringify(unread));
      markUnread();
    } else if (page === "case" && ev.case === main.dataset.case) {
      const base = "/console/cases/" + encodeURIComponent(ev.case);
      const html = await fragment(base + "/thread");
      if (html) { document.getElementById("thread").replaceChildren(html); toBottom(); watchDeliveries(); seenNow(); }
      // The side panel too (who has the case, its status and deadline):
      // the forms below it keep what is being typed.
      const facts = await fragment(base + "/facts");
      const old = document.getElementById("facts");
      if (facts && old) old.replaceWith(facts);
    }
  }

  // Quick replies fill the reply box, to be edited before sending: from
  // the list, or Alt+1…9 for the first nine.
  document.querySelectorAll("select.quick").forEach((sel) => {
    const box = sel.form.querySelector("textarea");
    sel.addEventListener("change", () => {
      if (sel.value) { box.value = sel.value; box.focus(); }
      sel.value = "";
    });
    box.addEventListener("keydown", (e) => {
      const n = e.altKey && /^Digit[1-9]$/.test(e.code) ? Number(e.code.slice(5)) : 0;
      if (!n || n >= sel.options.length) return;
      e.preventDefault();
      box.value = sel.options[n].value;
    });
  });

  let delay = 1000;
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/console/ws");
    ws.onopen = () => {
      delay = 1000;
      if (live) live.classList.add("on");
      // Tell the server which case this page shows, so colleagues see it is open.
      if (page === "case") ws.send(JSON.stringify({ watch: main.dataset.case }));
    };
    ws.onmessage = (m) => { try { changed(JSON.parse(m.data)); } catch (e) { /* a bad message changes nothing */ } };
    ws.onclose = () => {
      if (live) live.classList.remove("on");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
