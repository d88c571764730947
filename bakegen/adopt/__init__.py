"""Services that bring their own Dockerfiles: what those cost, and adopting them.

`reading` parses a user's Dockerfile (BuildKit's parser), `installs` recognises dependency
installs in its RUN lines, `cost` sums them up for `scan` and `generate`, `carry` decides
what an adopted service keeps from its Dockerfile, and `choose` applies the adoptions the
config and the command line ask for to the scan and the plan.
"""
