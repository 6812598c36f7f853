/*
 * Upload progress for the dossier page: progressive enhancement only.
 *
 * Without this script, a form marked `data-upload` is a normal multipart POST and works as is.
 * With it, the form is sent with XMLHttpRequest so that a <progress> element shows how much of
 * the files has been sent (useful on a slow mobile connection). The server answers JSON and
 * keeps its messages (files added, files refused with their names) for the next page; on
 * completion the dossier page is loaded again to show them.
 * Texts come from the page (data- attributes rendered with {% translate %}).
 */
(function () {
  "use strict";

  if (!window.XMLHttpRequest || !window.FormData || !document.querySelectorAll) {
    return;
  }

  function hasFiles(form) {
    var inputs = form.querySelectorAll('input[type="file"]');
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].files && inputs[i].files.length) {
        return true;
      }
    }
    return false;
  }

  function showPage(target) {
    var link = document.createElement("a");
    link.href = target;
    if (link.pathname === window.location.pathname && link.search === window.location.search) {
      window.location.reload();
    } else {
      window.location.assign(target);
    }
  }

  function enhance(form) {
    var wrapper = form.querySelector("[data-upload-progress]");
    var progress = wrapper ? wrapper.querySelector("progress") : null;
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector('button[type="submit"]');

    form.addEventListener("submit", function (event) {
      if (!hasFiles(form)) {
        return; // let the server say that a file is needed
      }
      event.preventDefault();

      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.setRequestHeader("Accept", "application/json");

      if (wrapper) {
        wrapper.hidden = false;
      }
      if (button) {
        button.disabled = true;
      }

      request.upload.addEventListener("progress", function (progressEvent) {
        if (!progressEvent.lengthComputable || !progress) {
          return;
        }
        var percent = Math.round((progressEvent.loaded / progressEvent.total) * 100);
        progress.value = percent;
        if (status) {
          status.textContent = percent + " %";
        }
      });

      request.addEventListener("load", function () {
        if (progress) {
          progress.value = 100;
        }
        // Added and refused files are both reported by the next page's messages.
        showPage(form.getAttribute("data-upload-done") || window.location.href);
      });

      request.addEventListener("error", function () {
        if (status) {
          status.textContent = form.getAttribute("data-upload-failed") || "";
        }
        if (button) {
          button.disabled = false;
        }
      });

      request.send(new FormData(form));
    });
  }

  var forms = document.querySelectorAll("form[data-upload]");
  for (var i = 0; i < forms.length; i += 1) {
    enhance(forms[i]);
  }
})();
