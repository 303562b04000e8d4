// The simulated WeChat chat: every message goes through the real callback
// (signed and encrypted by the stand-in platform on the server side).
(function () {
  "use strict";
  const chat = document.getElementById("chat");
  const form = document.getElementById("form");
  const text = document.getElementById("text");
  const sendBtn = form.querySelector(".send");

  function newID() {
    const a = new Uint8Array(10);
    crypto.getRandomValues(a);
    return "oDemo" + Array.from(a, (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
  }
  let openid = localStorage.getItem("jiefen-demo-openid");
  const fresh = !openid;
  if (!openid) { openid = newID(); localStorage.setItem("jiefen-demo-openid", openid); }
  // The stand-in WeChat client (wxsim's JS-SDK on the case page) knows who is reading.
  localStorage.setItem("wxsim-openid", openid);
  // Which simulated citizen this is, in words: the openid means nothing to a visitor.
  document.getElementById("who").textContent = "市民 " + openid.slice(-4);

  // The chat is kept in this browser, so a reload shows it again.
  const logKey = "jiefen-demo-log", seqKey = "jiefen-demo-seq";
  const log = fresh ? [] : JSON.parse(localStorage.getItem(logKey) || "[]");
  function remember(cls, body, tag) {
    log.push([cls, body, tag || ""]);
    if (log.length > 300) log.splice(0, log.length - 300);
    localStorage.setItem(logKey, JSON.stringify(log));
  }

  // add shows one bubble; text is set as text, never as HTML.
  function add(cls, body, tag) {
    remember(cls, body, tag);
    show(cls, body, tag);
  }
  function show(cls, body, tag) {
    const li = document.createElement("li");
    li.className = cls;
    if (tag) { const t = document.createElement("span"); t.className = "tag"; t.textContent = tag; li.appendChild(t); }
    // Links become clickable, as WeChat shows them; text stays text.
    body.split(/(https?:\/\/[^\s]+)/).forEach((part, i) => {
      if (i % 2 === 1) {
        const a = document.createElement("a");
        a.href = part; a.textContent = part; a.target = "_blank"; a.rel = "noopener";
        li.appendChild(a);
      } else if (part) {
        li.appendChild(document.createTextNode(part));
      }
    });
    chat.appendChild(li);
    chat.scrollTop = chat.scrollHeight;
  }

  async function send(msg, shown) {
    if (shown) add("me", shown);
    sendBtn.disabled = true;
    try {
      const r = await fetch("/demo/api/send", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ openid: openid }, msg)),
      });
      const j = await r.json();
      if (!r.ok) { add("err", j.error || "发送失败"); return; }
      if (j.reply) add("bot", j.reply);
    } catch (e) {
      add("err", "网络错误，请稍后再试");
    } finally {
      sendBtn.disabled = false;
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const t = text.value.trim();
    if (!t) return;
    text.value = "";
    send({ kind: "text", text: t }, t);
  });
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  document.querySelectorAll(".menu button").forEach((b) =>
    b.addEventListener("click", () => send({ kind: "event", event: "CLICK", key: b.dataset.key }, "［菜单］" + b.textContent)));
  document.getElementById("voice").addEventListener("click", () => send({ kind: "voice" }, "［语音 0:12］"));
  document.getElementById("image").addEventListener("click", () => send({ kind: "image" }, "［图片］"));
  document.getElementById("reset").addEventListener("click", () => {
    [ "jiefen-demo-openid", logKey, seqKey ].forEach((k) => localStorage.removeItem(k));
    location.reload();
  });

  log.forEach(([cls, body, tag]) => show(cls, body, tag));

  // Messages pushed through the customer-service or template API, those
  // that came while the page was closed first.
  const since = fresh ? "0" : (localStorage.getItem(seqKey) || "0");
  const events = new EventSource("/demo/api/pushed?openid=" + encodeURIComponent(openid) + "&since=" + since);
  events.onmessage = (e) => {
    const d = JSON.parse(e.data);
    if (d.kind === "template") add("bot", d.text, "模板消息");
    else if (d.kind === "subscribe") add("bot", d.text, "订阅通知");
    else add("bot", d.text, "客服消息");
    if (e.lastEventId) localStorage.setItem(seqKey, e.lastEventId);
  };

  if (fresh) { add("note", "您关注了“" + document.getElementById("account").textContent + "”"); send({ kind: "event", event: "subscribe" }); }
  else show("note", "欢迎回来（发送“进度”查看您的案件）");
})();
