#!/usr/bin/env python3
"""Send an approved policy to the pipeline's queue over AMQP 1.0 and wait for the result.

Another system's side of docs/queue.md. Needs Apache Qpid Proton for Python, installed for the
interpreter that runs this script (Debian/Ubuntu: sudo apt-get install python3-qpid-proton, then use
/usr/bin/python3; elsewhere: python3 -m pip install python-qpid-proton). Without it, the script says so.

    python3 samples/send_policy.py samples/policy-2023-vax.json \
        --url amqp://127.0.0.1:61616 --user agency-a --password '...' --approved-by dr.jones

Prints the result JSON (the same document POST /api/policies answers) and exits 0 on
"status": "success", 1 on a failure, 2 if no answer came in time.
"""
import argparse
import json
import sys
import uuid

try:
    from proton import Message
    from proton.utils import BlockingConnection
except ImportError:
    # Seen on machines with several Pythons: the package went into another interpreter than this one.
    sys.exit(f"""This Python ({sys.executable}) has no Apache Qpid Proton. Install it for the interpreter you run:
  Debian/Ubuntu: sudo apt-get install python3-qpid-proton   (then run the sample with /usr/bin/python3)
  elsewhere:     {sys.executable} -m pip install python-qpid-proton""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", help="JSON file with the approved policy")
    parser.add_argument("--url", default="amqp://127.0.0.1:61616")
    parser.add_argument("--queue", default="policies.approved")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--approved-by", help="who approved it (the audit actor if the broker names no user)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the result")
    args = parser.parse_args()

    with open(args.policy, "rb") as f:
        policy = f.read()

    options = {}
    if args.user:
        # SASL PLAIN sends the password as is: use amqps:// to any broker not on this host.
        options.update(user=args.user, password=args.password, allowed_mechs="PLAIN")
    connection = BlockingConnection(args.url, timeout=args.timeout, **options)
    try:
        # A temporary queue of our own for the answer (an AMQP dynamic node).
        replies = connection.create_receiver(None, dynamic=True)
        sender = connection.create_sender(args.queue)
        correlation_id = str(uuid.uuid4())
        properties = {"approvedBy": args.approved_by} if args.approved_by else {}
        sender.send(Message(
            body=policy.decode("utf-8"),          # a text message holding UTF-8 JSON
            durable=True,                          # kept on disk until the service has deployed it
            reply_to=replies.remote_source.address,
            correlation_id=correlation_id,
            properties=properties,
        ))
        try:
            answer = replies.receive(timeout=args.timeout)
        except Exception:  # proton raises Timeout
            print(f"no answer within {args.timeout} s; the policy stays queued until deployed", file=sys.stderr)
            return 2
        replies.accept()
        if answer.correlation_id != correlation_id:
            print(f"unexpected correlation id {answer.correlation_id!r}", file=sys.stderr)
        result = json.loads(answer.body)
        print(json.dumps(result, indent=2))
        return 0 if result.get("status") == "success" else 1
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
