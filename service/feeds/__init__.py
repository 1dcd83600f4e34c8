"""Feeds: subscriptions to RSS, Atom and sitemap URLs that keep the archive up to date.

- ``store``: the subscriptions, the items taken from them, the poller lease (tables of migration 0004);
- ``crawler``: the polite HTTP client (robots.txt, one request at a time per host, conditional GET,
  limits, only the hosts a subscription names);
- ``parse``: a fetched feed or sitemap into items;
- ``poller``: one round over the due feeds, each new item's page fetched, extracted and stored through
  the ingest pipeline; the server's background poller (one for all workers).
"""
