"""How long the texts on a certificate may be (docs/product-rules.md §3, "What a certificate
prints"). Only numbers here, so that the configuration can check the message without loading
the fonts; `layout.py` holds the rules that use them (`name_problem`, `message_problem`).

- A participant's name of up to NAME_LIMIT characters prints whole, on up to three lines, in
  type no smaller than NAME_FLOOR points; a longer one is refused for review.
- The congratulatory message (`certificates.message`, its placeholders filled in) of up to
  MESSAGE_LIMIT characters prints whole, wrapped, in type no smaller than MESSAGE_FLOOR points;
  `check-config` refuses a longer one.
"""

NAME_LIMIT = 128  # characters
NAME_FLOOR = 10.0  # points
MESSAGE_LIMIT = 600  # characters
MESSAGE_FLOOR = 7.0  # points
