// Progressive enhancement only: every page works without this file.
(function () {
  // Filter the service list while typing (the select still works alone).
  document.querySelectorAll('input.filter-select').forEach(function (input) {
    var select = document.getElementById(input.dataset.target);
    if (!select) return;
    input.addEventListener('input', function () {
      var q = input.value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
      Array.prototype.forEach.call(select.options, function (o) {
        var t = o.text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
        o.hidden = q !== '' && t.indexOf(q) === -1;
      });
    });
  });
  // Drag and drop files onto the attachment label.
  var drop = document.querySelector('label.drop');
  var files = document.getElementById('files');
  if (drop && files) {
    ['dragenter', 'dragover'].forEach(function (e) {
      drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add('dragging'); });
    });
    ['dragleave', 'drop'].forEach(function (e) {
      drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.remove('dragging'); });
    });
    drop.addEventListener('drop', function (ev) { files.files = ev.dataTransfer.files; });
  }
})();
