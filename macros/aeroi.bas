Attribute VB_Name = "aeroi"
' aeroi: buttons for the AliExpress programme cost and ROI calculator.
' Import once into your workbook (Alt+F11 > File > Import File... > aeroi.bas), save it as .xlsm,
' then assign these macros to buttons (right-click a button > Assign Macro).
' Needs the xlwings add-in (or the xlwings VBA module) and the aeroi package installed in Python.
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
