Attribute VB_Name = "aeroi"
' aeroi: the buttons of the AliExpress programme cost and ROI calculator.
' Import once per workbook: in Excel press Alt+F11, then File > Import File... and pick this
' file; close the editor and save the workbook as .xlsm. The template's buttons are already
' bound to AeroiCalculate. Needs xlwings (the version in the template's xlwings module) and
' aeroi installed in Python: python -m pip install "aeroi[excel]".
' The Python module is fixed (calculator.excel.entry), so renaming or copying the workbook,
' or a name with spaces, "-" or "&", does not break the buttons.

Sub AeroiCalculate()
    RunPython "import calculator.excel.entry as aeroi; aeroi.calculate_active()"
End Sub

Sub AeroiRunFolder()
    RunPython "import calculator.excel.entry as aeroi; aeroi.run_folder()"
End Sub

Sub AeroiNewStoreWorkbook()
    RunPython "import calculator.excel.entry as aeroi; aeroi.create_template()"
End Sub
