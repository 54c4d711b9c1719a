"""``python -m geo_alloggi`` runs the command line."""

from geo_alloggi.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
