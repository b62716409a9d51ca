# bench/tiles/nginx.sh — sourced by run.sh and cached.sh: nginx serving a folder of tiles as
# static files, configured as a tile host would be (sendfile, keep-alive, no access log, open
# file descriptors and their metadata cached, so a request costs no open or stat).
#
# nginx_static_start DIR ROOT PORT WORKERS: writes DIR/nginx.conf, starts nginx in the
# foreground of a background job on 127.0.0.1:PORT serving ROOT, and sets NGX_PID.
nginx_static_start() {
  local dir=$1 root=$2 port=$3 workers=$4
  rm -rf "$dir"; mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<EOF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  open_file_cache max=100000 inactive=60s;
  open_file_cache_valid 60s;
  open_file_cache_errors on;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi; uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  types { application/vnd.mapbox-vector-tile pbf; }
  server {
    listen 127.0.0.1:$port;
    root $root;
    add_header Access-Control-Allow-Origin *;
    add_header Cache-Control "public, max-age=300";
  }
}
EOF
  nginx -c "$dir/nginx.conf" -p "$dir" &
  NGX_PID=$!
  sleep 0.5
}
