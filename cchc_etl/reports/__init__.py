"""Reports officials hand in, built from the warehouse only (no landing file is read).

* ``period``: the report period (``2024-03``, ``2024-Q1``, ``2024-H1``, ``2024``) resolved
  against ``marts.periods``: its dates, how far it reaches (year to date) and its wording.
* ``data``: every figure of the reports as plain frames, for the whole city at once;
  ``ReportData.scoped`` narrows them to one department or unit.
* ``vn_format``: Vietnamese display of numbers and dates, and the cell-safety rule for text.
* ``workbook`` and the ``sheet_*`` modules: the Excel workbook (Biểu 06 and its variants, the
  service index, targets, late and near-due lists, trends).
* ``results_text`` and ``docx_report``: the drafted results report (Báo cáo kết quả thực hiện công
  tác cải cách hành chính), its blocks of text and tables, and their Word layout.
* ``output``: where the files go and how they are replaced (atomically).
"""
