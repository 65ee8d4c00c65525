fn main() {} // placeholder until the check_document benchmark is written
