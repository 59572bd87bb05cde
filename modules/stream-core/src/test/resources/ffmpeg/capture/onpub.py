import http.server, urllib.parse
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0))).decode()
        name = urllib.parse.parse_qs(body).get('name', [''])[0]
        self.send_response(204 if name == 'goodkey' else 403); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', 18081), H).serve_forever()
