from calculator.cli import main

main(prog_name="aeroi")
