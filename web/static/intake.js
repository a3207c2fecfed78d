// The public lead form (no inline scripts: the Content-Security-Policy allows only our files).
// Carry the page's UTM tags into the form and show the answer without leaving the page.
document.getElementById("lead-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  new URLSearchParams(location.search).forEach((value, key) => { if (key.startsWith("utm_")) data.set(key, value); });
  const response = await fetch(form.action, {method: "POST", body: new URLSearchParams(data)});
  const body = await response.json();
  const result = document.getElementById("lead-result");
  if (response.status === 202) {
    result.className = "alert alert-success";
    result.textContent = "Спасибо! Заявка №" + body.lead_id + " принята.";
    form.reset();
  } else {
    result.className = "alert alert-danger";
    const fields = body.error.fields || {};
    result.textContent = body.error.message + " " + Object.values(fields).flat().join("; ");
  }
});
