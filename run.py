"""Start the console on the configured database (default: SQLite in ./instance).

    python run.py              migrate, load the demo university, print the accounts, serve
    python run.py --no-demo    migrate and serve only
"""
import argparse

from app import create_app


def main() -> None:
    """Prepare the database and serve on http://127.0.0.1:5000."""
    parser = argparse.ArgumentParser(description="zhibu (支部) console")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo university")
    parser.add_argument("--password", help="password of every demo account (default: random, printed)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        from app.services.setup import initialize

        initialize()
        if not args.no_demo:
            from app.errors import DomainError
            from app.services.demo import load_demo

            try:
                report = load_demo(password=args.password, progress=print)
            except DomainError as exc:  # a --password outside the policy: say why, start nothing
                parser.error(str(exc))
            print(report.accounts_table())
    print(f"\nzhibu: http://{args.host}:{args.port}/")
    from app.serving import freeze_startup_objects
    from app.views.headers import ZhibuRequestHandler

    freeze_startup_objects()
    app.run(host=args.host, port=args.port, request_handler=ZhibuRequestHandler)


if __name__ == "__main__":
    main()
