/* Person and petitioner pickers (select.daiban-pick): the server searches as the user
   types, within the user's scope and among people holding the field's duty; the page
   holds only the chosen row. */
(function ($) {
  "use strict";
  function upgrade(select) {
    var $select = $(select);
    if (!$.fn.select2 || $select.data("select2")) { return; }
    $select.select2({
      theme: "bootstrap", width: "100%", allowClear: true,
      placeholder: $select.data("placeholder") || "—",
      minimumInputLength: 0,
      ajax: {
        url: $select.data("url"), dataType: "json", delay: 250,
        data: function (params) { return {q: params.term || ""}; }
      }
    });
  }
  $(function () { $("select.daiban-pick").each(function () { upgrade(this); }); });
  $(document).on("toggle", "details", function () {
    $(this).find("select.daiban-pick").each(function () { upgrade(this); });
  });
})(jQuery);
