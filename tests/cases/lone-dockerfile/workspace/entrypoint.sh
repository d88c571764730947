#!/bin/sh
exec curl --version
