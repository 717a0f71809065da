// Copy buttons: <button data-copy="#id"> copies the text of the element it names. Everything else works without script.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = (source.value ?? source.textContent).trim();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (plain HTTP, old browser): select the text so Ctrl+C works.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  const label = button.textContent;
  button.textContent = "Copied";
  button.setAttribute("aria-live", "polite");
  setTimeout(() => { button.textContent = label; }, 1500);
});

// A path field with data-path-from="#name-field" follows the name as GitLab's does ("My Team" gives "my-team") until the
// person edits the path themselves. The result matches the field's pattern: lowercase letters and digits, with single
// '-', '.' or '_' between them.
document.querySelectorAll("input[data-path-from]").forEach((path) => {
  const name = document.querySelector(path.dataset.pathFrom);
  if (!name) return;
  let edited = path.value !== "";
  path.addEventListener("input", () => { edited = path.value !== ""; });
  name.addEventListener("input", () => {
    if (edited) return;
    path.value = name.value
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/([._-])[._-]+/g, "$1")
      .replace(/^[._-]+|[._-]+$/g, "")
      .slice(0, Number(path.maxLength) > 0 ? path.maxLength : 200)
      .replace(/[._-]+$/g, "");
  });
});

// A form with data-confirm-field="#input" and data-confirm-value="text" submits only once the input holds exactly that
// text (the server checks it again): deleting a group asks for its path to be typed.
document.querySelectorAll("form[data-confirm-value]").forEach((form) => {
  const input = form.querySelector(form.dataset.confirmField);
  const submit = form.querySelector("button[type=submit]");
  if (!input || !submit) return;
  const check = () => { submit.disabled = input.value !== form.dataset.confirmValue; };
  input.addEventListener("input", check);
  check();
});
