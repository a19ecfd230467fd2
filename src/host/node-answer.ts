/** The part of Node's `http.ServerResponse` needed to answer with a Fetch Response. */
interface ServerResponseLike {
  writeHead(status: number, headers: Record<string, string>): unknown
  end(body?: string): unknown
}

/** Answers a `(req, res)` request with a small Fetch `Response` (a 503 refusal): status, headers, text. */
export function answerNode(res: ServerResponseLike, response: Response): void {
  const headers = Object.fromEntries(response.headers)
  void response.text().then((body) => {
    res.writeHead(response.status, headers)
    res.end(body)
  })
}
