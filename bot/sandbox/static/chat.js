// The web chat: draws the simulated runners' chats with the bot and sends what they do.
//
// State comes from one Server-Sent Events stream (/api/events): a snapshot first, then every
// message added, edited or deleted, so an edit or a reminder shows the moment the bot sends it.
// Everything the bot wrote is put in the page with textContent / text nodes, never as HTML;
// formatting comes from the message's entities through a fixed list of elements.
"use strict";

const state = {
  bot: { name: "Warm-up Coach" },
  users: [],          // profiles: user_id, first_name, timezone (the phone's), city,
                      // language_code, and bot_timezone (the bot's for them, or null)
  chats: new Map(),   // user_id -> Map(message id -> message)
  unread: new Map(),  // user_id -> count of bot messages not seen yet
  commands: [],       // [{command, description}] from setMyCommands
  current: null,      // the user_id the page acts as
};

const $ = (id) => document.getElementById(id);
const scroller = $("messages");       // the one part of the page that scrolls
const messagesBox = $("message-list");  // the messages, inside it
const input = $("text");
const sendButton = $("send");
const menu = $("command-menu");
const toastBox = $("toast");

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// ------------------------------------------------------------------ server calls

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  if (!response.ok) {
    throw new Error(data.error || `The sandbox answered ${response.status}.`);
  }
  return data;
}

function userPath(suffix) {
  return `/api/users/${state.current}/${suffix}`;
}

// ------------------------------------------------------------------- live updates

function connect() {
  const events = new EventSource("/api/events");
  const banner = $("connection");
  events.addEventListener("open", () => { banner.hidden = true; });
  events.addEventListener("error", () => { banner.hidden = false; });
  events.addEventListener("snapshot", (event) => applySnapshot(JSON.parse(event.data)));
  events.addEventListener("message", (event) => {
    const { user_id: userId, message } = JSON.parse(event.data);
    upsert(userId, message);
  });
  events.addEventListener("runner", (event) => {
    const { user_id: userId, bot_timezone: zone } = JSON.parse(event.data);
    const user = state.users.find((u) => u.user_id === userId);
    if (user) user.bot_timezone = zone;
    renderUsers();
  });
  events.addEventListener("delete", (event) => {
    const { user_id: userId, message_id: messageId } = JSON.parse(event.data);
    const chat = state.chats.get(userId);
    if (chat) chat.delete(messageId);
    if (userId === state.current) {
      const row = messagesBox.querySelector(`[data-message-id="${messageId}"]`);
      if (row) row.remove();
    }
    renderUsers();
  });
}

function applySnapshot(snapshot) {
  state.bot = snapshot.bot;
  state.commands = snapshot.commands;
  state.users = snapshot.users;
  state.chats = new Map();
  for (const user of snapshot.users) {
    const messages = snapshot.chats[String(user.user_id)] || [];
    state.chats.set(user.user_id, new Map(messages.map((m) => [m.id, m])));
  }
  const wanted = Number(location.hash.replace("#user-", ""));
  if (!state.users.some((u) => u.user_id === state.current)) {
    state.current = state.users.some((u) => u.user_id === wanted) ? wanted : state.users[0].user_id;
  }
  $("bot-name").textContent = state.bot.name;
  renderUsers();
  renderChat();
}

function upsert(userId, message) {
  const chat = state.chats.get(userId);
  if (!chat) return;
  const isNew = !chat.has(message.id);
  chat.set(message.id, message);
  if (userId === state.current) {
    const existing = messagesBox.querySelector(`[data-message-id="${message.id}"]`);
    if (existing) {
      // An edit: in place, like Telegram. If it makes the message taller while the newest
      // message was in view, the list follows (see keepTheBottomInView).
      existing.replaceWith(messageRow(message));
    } else {
      appendMessage(message);
      if (!message.from_bot) scrollToBottom();  // your own message always shows
    }
  } else if (isNew && message.from_bot) {
    state.unread.set(userId, (state.unread.get(userId) || 0) + 1);
  }
  renderUsers();
}

// ---------------------------------------------------------------- runner switcher

function currentUser() {
  return state.users.find((u) => u.user_id === state.current);
}

function switchTo(userId) {
  state.current = userId;
  state.unread.delete(userId);
  history.replaceState(null, "", `#user-${userId}`);
  hideMenu();
  renderUsers();
  renderChat();
  input.focus();
}

function lastMessage(userId) {
  const chat = state.chats.get(userId);
  if (!chat || chat.size === 0) return null;
  return Array.from(chat.values()).pop();
}

function renderUsers() {
  const list = $("users");
  list.replaceChildren();
  state.users.forEach((user, index) => {
    const item = el("li", "user" + (user.user_id === state.current ? " active" : ""));
    item.dataset.userId = user.user_id;
    item.setAttribute("role", "button");
    item.tabIndex = 0;
    item.title = `Be ${user.first_name} (${user.city}, Telegram in ${user.language_code})`;
    item.append(el("div", `avatar c${index % 5}`, user.first_name.slice(0, 1)));
    const main = el("div", "user-main");
    const top = el("div", "user-top");
    top.append(el("span", "user-name", user.first_name));
    const last = lastMessage(user.user_id);
    if (last) top.append(el("span", "user-time", formatTime(last.date, user.timezone)));
    const bottom = el("div", "user-bottom");
    const preview = last ? previewOf(last) : "No messages yet";
    bottom.append(el("span", "user-preview", preview));
    const unread = state.unread.get(user.user_id);
    if (unread) bottom.append(el("span", "unread live", String(unread)));
    // The zone the bot has for them (what /remind and the streak go by), not the phone's.
    const zone = user.bot_timezone || "no time zone yet";
    main.append(top, bottom, el("div", "user-zone", `🌍 ${zone}`));
    item.append(main);
    item.addEventListener("click", () => switchTo(user.user_id));
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") switchTo(user.user_id);
    });
    list.append(item);
  });
}

function previewOf(message) {
  const prefix = message.from_bot ? "" : "You: ";
  if (message.photo) return prefix + "🖼 Photo" + (message.caption ? `, ${message.caption}` : "");
  if (message.animation) return prefix + "🎞 GIF" + (message.caption ? `, ${message.caption}` : "");
  if (message.document) return prefix + "📎 " + message.document.name;
  return prefix + (message.text || message.caption || "").split("\n")[0];
}

// ---------------------------------------------------------------------- the chat

function renderChat() {
  const user = currentUser();
  messagesBox.replaceChildren();
  if (!user) return;
  $("chat-status").textContent =
    `bot · you are ${user.first_name} in ${user.city} · app in ${user.language_code}`;
  const chat = state.chats.get(user.user_id);
  if (!chat || chat.size === 0) {
    messagesBox.append(
      el("div", "empty", "Say hi to your warm-up coach: send /start, or /warmup to begin.")
    );
    return;
  }
  for (const message of chat.values()) appendMessage(message);
  scrollToBottom();  // a chat opens at its newest message
}

function appendMessage(message) {
  const empty = messagesBox.querySelector(".empty");
  if (empty) empty.remove();
  const day = formatDay(message.date, currentUser().timezone);
  const rows = messagesBox.querySelectorAll(".row");
  const previous = rows.length ? rows[rows.length - 1] : null;
  if (!previous || previous.dataset.day !== day) messagesBox.append(el("div", "date-pill", day));
  messagesBox.append(messageRow(message));
}

// Whether the newest message is in view: then whatever makes the list taller (a new message,
// an edit, a picture that finished loading) scrolls it along. Someone reading older messages
// is left where they are.
let atBottom = true;
let pinnedAt = 0;  // the scrollTop scrollToBottom last set
const BOTTOM_SLACK = 40;  // px: "at the bottom" despite a rounding or a half-scrolled line

function scrollToBottom() {
  scroller.scrollTop = scroller.scrollHeight;
  pinnedAt = scroller.scrollTop;
  atBottom = true;
}

scroller.addEventListener("scroll", () => {
  const fromBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
  // Scroll events are dispatched with a later rendering step: one caused by scrollToBottom can
  // arrive after the list grew again and measure a gap nobody scrolled. Only moving up from
  // where scrollToBottom put the view means the reader left the bottom.
  atBottom = fromBottom < BOTTOM_SLACK || (atBottom && scroller.scrollTop >= pinnedAt);
});

function keepTheBottomInView() {
  if (atBottom) scrollToBottom();
}

// The list's height changes with every message, edit and loaded image; the scroller's view
// does too when the window (or a phone's keyboard) resizes it.
new ResizeObserver(keepTheBottomInView).observe(messagesBox);
new ResizeObserver(keepTheBottomInView).observe(scroller);

function messageRow(message) {
  const user = currentUser();
  const row = el("div", "row " + (message.from_bot ? "in" : "out"));
  row.dataset.messageId = message.id;
  row.dataset.day = formatDay(message.date, user.timezone);
  const bubble = el("div", "bubble");
  if (message.photo || message.animation || message.document) bubble.classList.add("media");
  if (message.photo) bubble.append(photoElement(message.photo));
  if (message.animation) bubble.append(animationElement(message.animation));
  if (message.document) bubble.append(documentElement(message.document));
  const body = message.text !== null ? message.text : message.caption;
  if (body) {
    const text = el("div", "text");
    renderFormatted(text, body, message.entities || [], message.from_bot);
    bubble.append(text);
  }
  const meta = el("span", "meta", (message.edited ? "edited " : "") + formatTime(message.date, user.timezone));
  if (!message.from_bot) meta.append(el("span", "ticks", "✓✓"));
  if (bubble.lastChild && bubble.lastChild.classList.contains("text")) {
    bubble.lastChild.append(meta);  // the time sits at the end of the text, as in Telegram
  } else {
    bubble.append(meta);
  }
  row.append(bubble);
  if (message.buttons.length) {
    row.classList.add("has-keyboard");
    row.append(keyboard(message));
  }
  return row;
}

function photoElement(photo) {
  if (!photo.url) return el("div", "photo", "🖼 Photo");
  const link = el("a", "photo-link");
  link.href = photo.url;
  link.target = "_blank";
  link.rel = "noopener";
  const img = el("img", "photo");
  img.src = photo.url;
  img.alt = "Photo";
  if (photo.width && photo.height) {
    img.width = photo.width;
    img.height = photo.height;
  }
  link.append(img);
  return link;
}

// An animation plays in the bubble, looped and silent, as in Telegram: a GIF as an image, an
// MP4 as a muted, looping video that starts by itself (inline on phones).
function animationElement(animation) {
  if (!animation.url) return el("div", "animation", "🎞 GIF");
  let clip;
  if (animation.mime_type === "video/mp4") {
    clip = el("video", "animation");
    clip.muted = true;  // the property, not only the attribute: autoplay needs it
    clip.defaultMuted = true;
    clip.loop = true;
    clip.autoplay = true;
    clip.playsInline = true;
    clip.setAttribute("muted", "");
    clip.setAttribute("playsinline", "");
    clip.disablePictureInPicture = true;
  } else {
    clip = el("img", "animation");
    clip.alt = "GIF";
  }
  if (animation.width && animation.height) {
    clip.width = animation.width;
    clip.height = animation.height;
  }
  clip.src = animation.url;
  return clip;
}

function documentElement(doc) {
  const link = el("a", "document");
  if (doc.url) {
    link.href = doc.url;
    link.setAttribute("download", doc.name);
  }
  link.append(el("span", "doc-icon", "⬇"));
  const info = el("span", "doc-info");
  info.append(el("div", "doc-name", doc.name));
  info.append(el("div", "doc-size", formatSize(doc.size)));
  link.append(info);
  return link;
}

function keyboard(message) {
  const box = el("div", "keyboard");
  for (const buttons of message.buttons) {
    const row = el("div", "kb-row");
    for (const button of buttons) {
      if (button.url) {
        const link = el("a", "kb-button url", button.text);
        if (/^https?:\/\//i.test(button.url)) link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        row.append(link);
      } else {
        const tap = el("button", "kb-button", button.text);
        tap.type = "button";
        if (button.data !== null) tap.addEventListener("click", () => press(tap, message.id, button.data));
        row.append(tap);
      }
    }
    box.append(row);
  }
  return box;
}

async function press(button, messageId, data) {
  if (button.classList.contains("busy")) return;
  button.classList.add("busy");
  try {
    const answer = await api(userPath("tap"), { message_id: messageId, data });
    if (answer.text) {
      if (answer.show_alert) showAlert(answer.text);
      else showToast(answer.text);
    }
  } catch (error) {
    showToast(error.message);
  } finally {
    button.classList.remove("busy");  // the row may have been replaced by the edit already
  }
}

// ---------------------------------------------------------- formatting from entities

// Entity type -> the one element it may become. Anything else is shown as plain text.
const ENTITY_TAGS = {
  bold: "b",
  italic: "i",
  underline: "u",
  strikethrough: "s",
  code: "code",
  pre: "pre",
  spoiler: "span",
  text_link: "a",
  url: "a",
  blockquote: "blockquote",
  expandable_blockquote: "blockquote",
};

function renderFormatted(container, text, entities, fromBot) {
  // Offsets are in UTF-16 code units, which is what JavaScript strings index by.
  const usable = entities.filter(
    (e) => ENTITY_TAGS[e.type] && e.length > 0 && e.offset >= 0 && e.offset + e.length <= text.length
  );
  const cuts = new Set([0, text.length]);
  for (const e of usable) {
    cuts.add(e.offset);
    cuts.add(e.offset + e.length);
  }
  const points = Array.from(cuts).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i];
    const end = points[i + 1];
    const piece = text.slice(start, end);
    const active = usable
      .filter((e) => e.offset <= start && e.offset + e.length >= end)
      .sort((a, b) => a.length - b.length);  // innermost first, wrapped outwards
    const literal = active.some((e) => ["code", "pre", "text_link", "url"].includes(e.type));
    let node = fromBot && !literal ? withCommands(piece) : document.createTextNode(piece);
    for (const entity of active) {
      const wrapper = entityElement(entity, text);
      wrapper.append(node);
      node = wrapper;
    }
    container.append(node);
  }
}

function entityElement(entity, text) {
  const tag = ENTITY_TAGS[entity.type];
  const node = document.createElement(tag);
  if (entity.type === "spoiler") {
    node.className = "spoiler";
    node.addEventListener("click", () => node.classList.add("revealed"));
  }
  if (tag === "a") {
    const url = entity.type === "url" ? text.substr(entity.offset, entity.length) : entity.url;
    const safe = /^https?:\/\//i.test(url || "") ? url : null;
    if (safe) {
      node.href = safe;
      node.target = "_blank";
      node.rel = "noopener noreferrer";
    }
  }
  return node;
}

// Telegram makes /commands in a bot's message tappable: tapping sends the command.
function withCommands(piece) {
  const fragment = document.createDocumentFragment();
  const pattern = /(^|[\s(])(\/[A-Za-z0-9_]{1,32})(?=$|[\s.,!?:;)])/g;
  let last = 0;
  let match;
  while ((match = pattern.exec(piece)) !== null) {
    const start = match.index + match[1].length;
    fragment.append(document.createTextNode(piece.slice(last, start)));
    const name = match[2];
    const command = el("span", "cmd", name);
    command.addEventListener("click", () => send(name));
    fragment.append(command);
    last = start + match[2].length;
  }
  fragment.append(document.createTextNode(piece.slice(last)));
  return fragment;
}

// ----------------------------------------------------------------- sending text

async function send(text) {
  const trimmed = text.trim();
  if (!trimmed) return;
  try {
    await api(userPath("send"), { text: trimmed });
  } catch (error) {
    showToast(error.message);
  }
}

function updateSendButton() {
  sendButton.disabled = !input.value.trim();
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = "";
  updateSendButton();
  hideMenu();
  send(text);
});

// ------------------------------------------------------------------ command menu

function showMenu(filter) {
  const prefix = filter.slice(1).toLowerCase();
  const matches = state.commands.filter((c) => c.command.startsWith(prefix));
  menu.replaceChildren();
  if (!matches.length) {
    hideMenu();
    return;
  }
  for (const command of matches) {
    const item = el("div", "command");
    item.setAttribute("role", "option");
    item.dataset.command = command.command;
    item.append(el("div", "avatar bot-avatar", "🏃"));
    const words = el("div", "command-words");
    words.append(el("div", "command-name", `/${command.command}`));
    words.append(el("div", "command-description", command.description));
    item.append(words);
    item.addEventListener("mousedown", (event) => event.preventDefault());  // keep the focus
    item.addEventListener("click", () => {
      input.value = "";
      updateSendButton();
      hideMenu();
      send(`/${command.command}`);
    });
    menu.append(item);
  }
  menu.hidden = false;
}

function hideMenu() {
  menu.hidden = true;
  menu.replaceChildren();
}

function moveSelection(step) {
  const items = Array.from(menu.querySelectorAll(".command"));
  if (!items.length) return;
  const index = items.findIndex((item) => item.classList.contains("selected"));
  items.forEach((item) => item.classList.remove("selected"));
  const next = index === -1 ? (step > 0 ? 0 : items.length - 1) : (index + step + items.length) % items.length;
  items[next].classList.add("selected");
  items[next].scrollIntoView({ block: "nearest" });
}

input.addEventListener("input", () => {
  updateSendButton();
  const value = input.value;
  if (value.startsWith("/") && !/\s/.test(value)) showMenu(value);
  else hideMenu();
});

input.addEventListener("keydown", (event) => {
  if (menu.hidden) return;
  if (event.key === "Enter" && !event.isComposing) {
    // Handled here, not by the form's submit: pressing Enter "clicks" the send button first,
    // and that click (outside the menu) would close the menu and lose the highlighted command.
    const selected = menu.querySelector(".command.selected");
    if (selected) {
      event.preventDefault();
      input.value = "";
      updateSendButton();
      hideMenu();
      send(`/${selected.dataset.command}`);
    }
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    moveSelection(event.key === "ArrowDown" ? 1 : -1);
  } else if (event.key === "Tab") {
    event.preventDefault();
    const item = menu.querySelector(".command.selected") || menu.querySelector(".command");
    if (item) {
      input.value = `/${item.dataset.command} `;
      updateSendButton();
      hideMenu();
    }
  } else if (event.key === "Escape") {
    hideMenu();
  }
});

$("menu-button").addEventListener("click", () => {
  if (menu.hidden) showMenu("/");
  else hideMenu();
  input.focus();
});

document.addEventListener("click", (event) => {
  if (!menu.hidden && !menu.contains(event.target) && event.target !== $("menu-button")
      && !$("menu-button").contains(event.target) && event.target !== input) {
    hideMenu();
  }
});

// --------------------------------------------------------------- fire a reminder

$("fire-reminder").addEventListener("click", async () => {
  const button = $("fire-reminder");
  button.disabled = true;
  try {
    const result = await api(userPath("fire-reminder"));
    showToast(result.toast);
  } catch (error) {
    showToast(error.message);
  } finally {
    button.disabled = false;
  }
});

// ------------------------------------------------------------ toasts and alerts

let toastTimer = null;

function showToast(text) {
  // One at a time, like Telegram: a new answer replaces the one on screen.
  toastBox.textContent = text;
  toastBox.hidden = false;
  toastBox.parentElement.classList.add("toasting");
  toastBox.style.animation = "none";
  void toastBox.offsetWidth;  // restart the fade-in
  toastBox.style.animation = "";
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toastBox.hidden = true;
    toastBox.parentElement.classList.remove("toasting");
  }, 2500);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert").hidden = false;
  $("alert-ok").focus();
}

$("alert-ok").addEventListener("click", () => {
  $("alert").hidden = true;
  input.focus();
});

// ----------------------------------------------------------------------- helpers

function formatTime(seconds, timeZone) {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone })
    .format(new Date(seconds * 1000));
}

function formatDay(seconds, timeZone) {
  return new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone })
    .format(new Date(seconds * 1000));
}

function formatSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

connect();
