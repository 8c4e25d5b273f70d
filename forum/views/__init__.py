"""The forum's pages and actions, by topic. Views stay thin: they read the
request, call one service or selector, and render or redirect."""
