// Security keys and passkeys: runs the browser's WebAuthn prompt for the options
// the page carries, puts the answer in the form's hidden "credential" field and
// submits it. The library (SimpleWebAuthnBrowser) is served by this app.
(function () {
  "use strict";
  var button = document.querySelector("button[data-webauthn-start]");
  var data = document.getElementById("webauthn-options");
  var lib = window.SimpleWebAuthnBrowser;
  if (!button || !data || !lib) return;
  var form = button.form;
  var status = document.getElementById("webauthn-status");
  var field = form.querySelector("input[name=credential]");
  var options = JSON.parse(data.textContent);
  var registering = button.getAttribute("data-webauthn-start") === "register";
  var say = function (text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  };
  if (!lib.browserSupportsWebAuthn()) {
    say("This browser cannot use security keys or passkeys. Choose another method.", true);
    return;
  }
  // Keys are bound to the site's own host name (the relying party id): at another address of the same server the browser refuses.
  var rpId = registering ? options.rp && options.rp.id : options.rpId;
  var host = location.hostname;
  if (rpId && host !== rpId && host.slice(-(rpId.length + 1)) !== "." + rpId) {
    say("Security keys and passkeys work only at " + rpId + ". Open this site at " + location.protocol + "//" + rpId + (location.port ? ":" + location.port : "") + " to use them, or choose another method.", true);
    return;
  }
  button.hidden = false;
  var busy = false;
  var run = function () {
    if (busy) return;
    if (registering && !form.reportValidity()) return;
    busy = true;
    button.disabled = true;
    say(registering ? "Follow your browser's prompt to create the key…" : "Waiting for your security key or passkey…");
    var started = registering ? lib.startRegistration({ optionsJSON: options }) : lib.startAuthentication({ optionsJSON: options });
    started.then(
      function (response) {
        field.value = JSON.stringify(response);
        say(registering ? "Saving the key…" : "Checking…");
        form.submit();
      },
      function () {
        busy = false;
        button.disabled = false;
        say(registering
          ? "No key was added: the prompt was cancelled or timed out, or this key is already added. Try again."
          : "Your security key or passkey did not answer: the prompt was cancelled or timed out, or this key is not added to your account. Try again, or choose another method.", true);
      },
    );
  };
  button.addEventListener("click", run);
  form.addEventListener("submit", function (event) {
    if (!field.value) { event.preventDefault(); run(); }
  });
  if (button.getAttribute("data-autostart") === "true") run();
})();
