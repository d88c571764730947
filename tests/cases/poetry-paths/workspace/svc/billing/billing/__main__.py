def main() -> None: print('billing')
